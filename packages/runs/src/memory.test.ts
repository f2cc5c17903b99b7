// The in-process adapters against their port contracts, and what is theirs alone: the bounded
// ring that backs the activity feed, and joining a log with side signals.
import { describe, expect, it } from 'vitest';
import { AsyncQueue } from './async-queue.ts';
import { MemoryLiveChannel } from './live-channel.ts';
import { MemoryPresence } from './memory-presence.ts';
import { MemoryRunQueue } from './memory-queue.ts';
import { withSignals } from './merge.ts';
import { RingHistory } from './ring-history.ts';
import { createSequencedLog } from './sequenced-log.ts';
import { describePresence, describeRunQueue } from './testing/index.ts';

describeRunQueue('in-process', async () => ({
  queue: new MemoryRunQueue(),
  close: async () => {},
}));

describePresence('in-process', async () => new MemoryPresence({ sweepMs: 20 }));

interface Tick {
  seq: number;
  n: number;
}

const ring = (capacity: number, firstSeq = 1) =>
  new RingHistory<Tick, number>({
    capacity,
    firstSeq: () => firstSeq,
    stamp: (n, seq) => ({ seq, n }),
  });

describe('ring history', () => {
  it('numbers from its first seq and keeps only the newest window', async () => {
    const history = ring(3, 1_000);
    expect(await history.lastSeq('k')).toBe(0);
    for (const n of [1, 2, 3, 4, 5]) await history.append('k', n);
    expect(await history.lastSeq('k')).toBe(1_004);
    expect(history.oldest('k')).toBe(1_002);
    expect(await history.after('k', 0, 10)).toEqual([
      { seq: 1_002, n: 3 },
      { seq: 1_003, n: 4 },
      { seq: 1_004, n: 5 },
    ]);
    expect((await history.after('k', 1_002, 1)).map((t) => t.n)).toEqual([4]);
    expect(await history.after('k', 1_004, 10)).toEqual([]);
    expect(await history.after('other', 0, 10)).toEqual([]);
    expect(await history.ended('k')).toBe(false);
  });

  it('serves a log that readers resume from any seq in its window', async () => {
    const log = createSequencedLog({
      history: ring(100),
      live: new MemoryLiveChannel<Tick>(),
      isTerminal: () => false,
    });
    for (const n of [1, 2, 3]) await log.append('k', n);
    const controller = new AbortController();
    const seen: number[] = [];
    const reading = (async () => {
      for await (const t of log.read('k', 1, controller.signal)) {
        seen.push(t.seq);
        if (t.seq === 5) controller.abort();
      }
    })();
    await log.append('k', 4);
    await log.append('k', 5);
    await reading;
    expect(seen).toEqual([2, 3, 4, 5]);
    expect(log.listenerCount('k')).toBe(0);
  });
});

describe('withSignals', () => {
  it('yields log events and side signals as they come and cleans up both sides', async () => {
    const log = new AsyncQueue<number>();
    let attached = 0;
    let push: (s: string) => void = () => {};
    const controller = new AbortController();
    let logStopped = false;
    const merged = withSignals<number, string>(
      async function* (stop) {
        try {
          yield* log.drain(stop);
        } finally {
          logStopped = true;
        }
      },
      (p) => {
        attached += 1;
        push = p;
        return () => {
          attached -= 1;
        };
      },
      controller.signal,
    );
    const seen: unknown[] = [];
    const reading = (async () => {
      for await (const item of merged) {
        seen.push(item);
        if (seen.length === 3) controller.abort();
      }
    })();
    log.push(1);
    await expect.poll(() => seen.length).toBe(1);
    push('present');
    await expect.poll(() => seen.length).toBe(2);
    log.push(2);
    await reading;
    expect(seen).toEqual([{ event: 1 }, { signal: 'present' }, { event: 2 }]);
    expect(attached).toBe(0);
    expect(logStopped).toBe(true);
  });

  it('ends when the log ends, and passes its error on', async () => {
    const done = withSignals(
      async function* () {
        yield 1;
      },
      () => () => {},
    );
    const seen: unknown[] = [];
    for await (const item of done) seen.push(item);
    expect(seen).toEqual([{ event: 1 }]);
    const failing = withSignals(
      // biome-ignore lint/correctness/useYield: a log that fails before its first event
      async function* () {
        throw new Error('store down');
      },
      () => () => {},
    );
    await expect(failing.next()).rejects.toThrow('store down');
  });
});
