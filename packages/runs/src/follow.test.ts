// The shared reader of every log, by push and by pull, over the in-process parts: a bounded ring
// as the store and the in-process channel, with a channel that loses a message made by storing
// an event without publishing it.
import { expect, it } from 'vitest';
import { MemoryLiveChannel } from './live-channel.ts';
import { followLog, type LogParts, readLog } from './log-reader.ts';
import type { LogSink } from './ports.ts';
import { RingHistory } from './ring-history.ts';
import { until } from './testing/until.ts';

interface Tick {
  seq: number;
  n: number;
}

function parts(firstSeq = 1) {
  const source = new RingHistory<Tick, number>({
    capacity: 100,
    firstSeq: () => firstSeq,
    stamp: (n, seq) => ({ seq, n }),
  });
  const live = new MemoryLiveChannel<Tick>();
  const log: LogParts<Tick> = { source, live, isTerminal: (t) => t.n < 0 };
  return {
    log,
    /** Stored, then published: what every writer does. */
    write: async (n: number) => live.publish('k', [await source.append('k', n)]),
    /** Stored and never published: a message the channel lost. */
    lose: (n: number) => source.append('k', n),
  };
}

function recorder() {
  const seqs: number[] = [];
  let ended = 0;
  const sink: LogSink<Tick> = {
    event: (t) => seqs.push(t.seq),
    caughtUp: () => seqs.push(0),
    end: () => {
      ended += 1;
    },
    fail: (cause) => {
      throw cause;
    },
  };
  return { sink, seqs, ended: () => ended };
}

it('replays, then passes live events through, filling a lost one from the store, each once', async () => {
  const p = parts();
  await p.write(1);
  await p.write(2);
  const r = recorder();
  followLog(p.log, 'k', 0, r.sink);
  // The replay, then word that it is over (0 here).
  await until(() => expect(r.seqs).toEqual([1, 2, 0]));
  await p.write(3);
  // Live events reach the sink inside the publish.
  expect(r.seqs).toEqual([1, 2, 0, 3]);
  await p.lose(4);
  await p.write(5);
  await until(() => expect(r.seqs).toEqual([1, 2, 0, 3, 4, 5]));
  await p.write(-6);
  expect(r.seqs).toEqual([1, 2, 0, 3, 4, 5, 6]);
  expect(r.ended()).toBe(1);
  // Nothing after the end, not even for a writer that carries on.
  await p.write(7);
  expect([r.seqs.length, r.ended()]).toEqual([7, 1]);
  expect(p.log.live.listenerCount('k')).toBe(0);
});

it('hands a resume from before the window what the store still holds', async () => {
  // The activity feed numbers from its start time: a dashboard from an earlier process resumes
  // after a seq far below every seq here, and gets all of them.
  const p = parts(5_000);
  await p.write(1);
  await p.write(2);
  const seen: number[] = [];
  const controller = new AbortController();
  const reading = (async () => {
    for await (const t of readLog(p.log, 'k', 17, controller.signal)) {
      seen.push(t.seq);
      if (seen.length === 3) controller.abort();
    }
  })();
  await until(() => expect(seen).toEqual([5_000, 5_001]));
  await p.write(3);
  await reading;
  expect(seen).toEqual([5_000, 5_001, 5_002]);
  expect(p.log.live.listenerCount('k')).toBe(0);
});

it('stops on request: the sink hears nothing more, not even the end', async () => {
  const p = parts();
  await p.write(1);
  const r = recorder();
  const following = followLog(p.log, 'k', 0, r.sink);
  await until(() => expect(r.seqs).toEqual([1, 0]));
  following.stop();
  await p.write(2);
  await p.write(-3);
  expect([r.seqs, r.ended()]).toEqual([[1, 0], 0]);
});
