// Pacing against a socket whose backlog the test sets: pass-through when the client keeps up,
// latest-progress-wins when it falls behind. (The hard bound is tested against the real server.)
import type { RunEvent, RunEventInput } from '@querylane/contracts';
import { AsyncQueue } from '@querylane/runs';
import { until } from '@querylane/runs/testing';
import { expect, it } from 'vitest';
import type { StreamStats } from '../transport.ts';
import { paced } from './pacing.ts';

const limits = { softBufferBytes: 1_000 };

function socket(bufferedAmount = 0) {
  return {
    bufferedAmount,
    readyState: 1,
    terminated: 0,
    terminate() {
      this.terminated += 1;
    },
  };
}

let seq = 0;
function ev(input: RunEventInput): RunEvent {
  seq += 1;
  return { ...input, seq, runId: 'r', at: new Date(0) } as RunEvent;
}
const stage = (progress: number) =>
  ev({ type: 'stage', stage: 'execute', progress, message: `at ${progress}` });
const rows = (fetched: number) => ev({ type: 'rows', fetched });

/** A live source: events pushed by the test, ending after a terminal event. */
function live() {
  const queue = new AsyncQueue<RunEvent>();
  const abort = new AbortController();
  async function* source(): AsyncGenerator<RunEvent> {
    for await (const event of queue.drain(abort.signal)) {
      yield event;
      if (event.type === 'completed' || event.type === 'cancelled') return;
    }
  }
  return { queue, source: source(), abort };
}

async function drainAll(gen: AsyncGenerator<RunEvent>, out: RunEvent[]) {
  for await (const event of gen) out.push(event);
}

it('passes every event through, in order, while the client keeps up', async () => {
  seq = 0;
  const events = [
    ev({ type: 'started', query: 'q', datasetId: 'shop' }),
    stage(40),
    rows(10),
    stage(50),
    rows(20),
    ev({ type: 'cancelled', reason: 'x' }),
  ];
  async function* source() {
    yield* events;
  }
  const stats: StreamStats = { coalesced: 0, overflowCloses: 0 };
  const out: RunEvent[] = [];
  await drainAll(paced(source(), socket(0), limits, stats), out);
  expect(out).toEqual(events);
  expect(stats).toEqual({ coalesced: 0, overflowCloses: 0 });
});

it('keeps only the latest progress while the client is behind, and every event that must go', async () => {
  seq = 0;
  const sock = socket(0);
  const { queue, source } = live();
  const stats: StreamStats = { coalesced: 0, overflowCloses: 0 };
  const out: RunEvent[] = [];
  const done = drainAll(paced(source, sock, limits, stats), out);

  queue.push(ev({ type: 'started', query: 'q', datasetId: 'shop' }));
  await until(() => expect(out.map((e) => e.seq)).toEqual([1]));

  sock.bufferedAmount = 5_000; // behind: past soft, below hard
  for (const p of [41, 42, 43]) queue.push(stage(p)); // 2, 3, 4
  queue.push(rows(100)); // 5
  queue.push(rows(200)); // 6
  queue.push(ev({ type: 'plan', steps: [] })); // 7: must go, with the latest progress before it
  await until(() => expect(out.map((e) => e.seq)).toEqual([1, 4, 6, 7]));
  queue.push(stage(44)); // 8
  queue.push(stage(45)); // 9
  queue.push(rows(300)); // 10
  // Nothing but progress is waiting: held back while the client is behind.
  await until(() => expect(stats.coalesced).toBe(4));
  expect(out.map((e) => e.seq)).toEqual([1, 4, 6, 7]);

  sock.bufferedAmount = 0; // caught up: the latest of each kind goes out
  await until(() => expect(out.map((e) => e.seq)).toEqual([1, 4, 6, 7, 9, 10]));
  queue.push(stage(46)); // 11
  queue.push(ev({ type: 'cancelled', reason: 'x' })); // 12
  await done;
  expect(out.map((e) => e.seq)).toEqual([1, 4, 6, 7, 9, 10, 11, 12]);
  expect(stats).toEqual({ coalesced: 4, overflowCloses: 0 });
});

it('never holds back a terminal event, even while the client is behind', async () => {
  seq = 0;
  const sock = socket(5_000);
  const { queue, source } = live();
  const out: RunEvent[] = [];
  const done = drainAll(paced(source, sock, limits), out);
  queue.push(stage(41));
  queue.push(stage(42));
  queue.push(ev({ type: 'cancelled', reason: 'x' }));
  await done;
  expect(out.map((e) => [e.seq, e.type])).toEqual([
    [2, 'stage'],
    [3, 'cancelled'],
  ]);
});
