// The contract every event log must keep (history + in-process channel now; Redis Streams next):
// each seq once, in order, with no gap at the seam between replay and live, from any point.
import type { RunEvent } from '@querylane/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventLog, EventSink, RunStore } from '../ports.ts';
import { eventAt, seedRun, stageEvent } from './fixtures.ts';

export interface EventLogFixture {
  log: EventLog;
  /** The store the log's history lives in, for seeding runs. */
  runs: RunStore;
  close(): Promise<void>;
}

const cancelled = (runId: string, seq: number): RunEvent =>
  eventAt(runId, seq, { type: 'cancelled', reason: 'test' });

/** A push sink that records what it was told. */
function recordingSink() {
  const seqs: number[] = [];
  let ended = 0;
  let failed: unknown;
  const sink: EventSink = {
    event: (event) => seqs.push(event.seq),
    end: () => {
      ended += 1;
    },
    fail: (cause) => {
      failed = cause;
    },
  };
  return { sink, seqs, ended: () => ended, failed: () => failed };
}

async function collect(events: AsyncIterable<RunEvent>): Promise<number[]> {
  const seen: number[] = [];
  for await (const event of events) seen.push(event.seq);
  return seen;
}

export function describeEventLog(name: string, open: () => Promise<EventLogFixture>) {
  describe(`event log contract: ${name}`, () => {
    let fx: EventLogFixture;
    beforeEach(async () => {
      fx = await open();
    });
    afterEach(async () => {
      await fx.close();
    });

    const append = (runId: string, event: RunEvent) =>
      fx.log.append(runId, [event], {
        lastSeq: event.seq,
        ...(event.type === 'cancelled' ? { status: 'cancelled' as const } : {}),
      });

    it('yields the terminal event that lands while the backlog is being replayed', async () => {
      await seedRun(fx, { runId: 'r1' });
      await append('r1', stageEvent('r1', 2));
      await append('r1', stageEvent('r1', 3));
      const stream = fx.log.read('r1', 0)[Symbol.asyncIterator]();
      const first = await stream.next();
      expect(first.done ? null : first.value.seq).toBe(1);
      // The backlog page (1..3) has been read; the run ends before the reader looks again.
      await append('r1', cancelled('r1', 4));
      const rest: number[] = [];
      for (let next = await stream.next(); !next.done; next = await stream.next()) {
        rest.push(next.value.seq);
      }
      expect(rest).toEqual([2, 3, 4]);
    });

    it('hands over from the backlog to live events with no gap and no duplicate', async () => {
      await seedRun(fx, { runId: 'r2' });
      await append('r2', stageEvent('r2', 2));
      const stream = fx.log.read('r2', 0)[Symbol.asyncIterator]();
      const seen: number[] = [];
      const first = await stream.next();
      if (!first.done) seen.push(first.value.seq);
      // Appended while the backlog is mid-replay: stored and delivered live, yielded once.
      await append('r2', stageEvent('r2', 3));
      const second = await stream.next();
      if (!second.done) seen.push(second.value.seq);
      await append('r2', stageEvent('r2', 4));
      await append('r2', cancelled('r2', 5));
      for (let next = await stream.next(); !next.done; next = await stream.next()) {
        seen.push(next.value.seq);
      }
      expect(seen).toEqual([1, 2, 3, 4, 5]);
      expect(fx.log.listenerCount('r2')).toBe(0);
    });

    it('resumes after any seq, and replays an ended run whole', async () => {
      await seedRun(fx, { runId: 'r3' });
      for (const seq of [2, 3, 4]) await append('r3', stageEvent('r3', seq));
      await append('r3', cancelled('r3', 5));
      expect(await collect(fx.log.read('r3', 0))).toEqual([1, 2, 3, 4, 5]);
      expect(await collect(fx.log.read('r3', 3))).toEqual([4, 5]);
      expect(await collect(fx.log.read('r3', 5))).toEqual([]);
      expect(await collect(fx.log.read('missing', 0))).toEqual([]);
    });

    it('follows live writers from several readers, each seq once and in order', async () => {
      await seedRun(fx, { runId: 'r4' });
      const readers = [0, 0, 7].map((after) => collect(fx.log.read('r4', after)));
      for (let seq = 2; seq < 60; seq++) {
        // Batches of one and of several, as a recorder writes them.
        if (seq % 3 === 0) {
          await fx.log.append('r4', [stageEvent('r4', seq), stageEvent('r4', seq + 1)], {
            lastSeq: seq + 1,
          });
          seq += 1;
        } else {
          await append('r4', stageEvent('r4', seq));
        }
      }
      await append('r4', cancelled('r4', 60));
      const all = Array.from({ length: 60 }, (_, i) => i + 1);
      expect(await Promise.all(readers)).toEqual([all, all, all.slice(7)]);
      expect(fx.log.listenerCount('r4')).toBe(0);
    });

    it('pushes to followers the same stream, from any point, and ends each once', async () => {
      await seedRun(fx, { runId: 'r6' });
      await append('r6', stageEvent('r6', 2));
      const followers = [0, 1, 2].map((after) => {
        const rec = recordingSink();
        return { rec, following: fx.log.follow('r6', after, rec.sink) };
      });
      // Live before the replay has finished, and after it.
      await append('r6', stageEvent('r6', 3));
      await append('r6', stageEvent('r6', 4));
      await append('r6', cancelled('r6', 5));
      for (const { rec } of followers) {
        await expect.poll(() => rec.ended()).toBe(1);
      }
      expect(followers.map(({ rec }) => rec.seqs)).toEqual([
        [1, 2, 3, 4, 5],
        [2, 3, 4, 5],
        [3, 4, 5],
      ]);
      expect(followers.every(({ rec }) => rec.failed() === undefined)).toBe(true);
      expect(fx.log.listenerCount('r6')).toBe(0);
    });

    it('stops a follower on request: nothing more, not even the end', async () => {
      await seedRun(fx, { runId: 'r7' });
      const rec = recordingSink();
      const following = fx.log.follow('r7', 0, rec.sink);
      await expect.poll(() => rec.seqs).toEqual([1]);
      following.stop();
      expect(fx.log.listenerCount('r7')).toBe(0);
      await append('r7', stageEvent('r7', 2));
      await append('r7', cancelled('r7', 3));
      expect(rec.seqs).toEqual([1]);
      expect(rec.ended()).toBe(0);
    });

    it('commits appends of several runs made in the same tick, each on its own', async () => {
      await seedRun(fx, { runId: 'r8' });
      await seedRun(fx, { runId: 'r9' });
      const followers = ['r8', 'r9'].map((runId) => {
        const rec = recordingSink();
        fx.log.follow(runId, 0, rec.sink);
        return rec;
      });
      await expect.poll(() => followers.map((rec) => rec.seqs)).toEqual([[1], [1]]);
      // Same tick: one good batch each for r8 and r9, and one for a run that does not exist.
      const results = await Promise.allSettled([
        append('r8', stageEvent('r8', 2)),
        append('gone', stageEvent('gone', 1)),
        append('r9', stageEvent('r9', 2)),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      await append('r8', cancelled('r8', 3));
      await append('r9', cancelled('r9', 3));
      expect(await collect(fx.log.read('r8', 0))).toEqual([1, 2, 3]);
      expect(await collect(fx.log.read('r9', 0))).toEqual([1, 2, 3]);
      expect(followers.map((rec) => [rec.seqs, rec.ended()])).toEqual([
        [[1, 2, 3], 1],
        [[1, 2, 3], 1],
      ]);
    });

    it('stops tailing when the reader aborts', async () => {
      await seedRun(fx, { runId: 'r5' });
      const controller = new AbortController();
      const seen: number[] = [];
      const reading = (async () => {
        for await (const event of fx.log.read('r5', 0, controller.signal)) {
          seen.push(event.seq);
          if (event.seq === 2) controller.abort();
        }
      })();
      await append('r5', stageEvent('r5', 2));
      await reading;
      expect(seen).toEqual([1, 2]);
      expect(fx.log.listenerCount('r5')).toBe(0);
    });
  });
}
