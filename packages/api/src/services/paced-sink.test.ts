// Pacing by push, against a socket whose backlog the test sets: every event goes out while the
// client keeps up; latest-progress-wins while it is behind; nothing else is ever held back.
import type { RunEvent, RunEventInput } from '@querylane/contracts';
import { until } from '@querylane/runs/testing';
import { expect, it } from 'vitest';
import type { StreamStats } from '../transport.ts';
import type { PushSink } from '../ws/push.ts';
import { PacedSink } from './paced-sink.ts';

const limits = { softBufferBytes: 1_000 };

let seq = 0;
function ev(input: RunEventInput): RunEvent {
  seq += 1;
  return { ...input, seq, runId: 'r', at: new Date(0) } as RunEvent;
}
const stage = (progress: number) =>
  ev({ type: 'stage', stage: 'execute', progress, message: `at ${progress}` });
const rows = (fetched: number) => ev({ type: 'rows', fetched });

/** What reached the client, and the slot the stream holds. */
function client() {
  const out: { id: string; seq: number }[] = [];
  let ended = 0;
  const sink: PushSink<RunEvent> = {
    item: (id, event) => out.push({ id, seq: event.seq }),
    end: () => {
      ended += 1;
    },
    fail: (cause) => {
      throw cause;
    },
  };
  const slot = {
    released: 0,
    release() {
      this.released += 1;
    },
  };
  return { sink, slot, seqs: () => out.map((o) => o.seq), out, ended: () => ended };
}

it('passes every event through, in order and tracked by seq, while the client keeps up', () => {
  seq = 0;
  const c = client();
  const stats: StreamStats = { coalesced: 0, overflowCloses: 0 };
  const paced = new PacedSink(c.sink, { bufferedAmount: 0, readyState: 1 }, limits, stats, c.slot);
  const events = [ev({ type: 'started', query: 'q', datasetId: 'shop' }), stage(40), rows(10)];
  for (const e of events) paced.event(e);
  paced.event(ev({ type: 'cancelled', reason: 'x' }));
  paced.end();
  expect(c.out).toEqual([1, 2, 3, 4].map((n) => ({ id: String(n), seq: n })));
  expect([c.ended(), c.slot.released, stats.coalesced]).toEqual([1, 1, 0]);
});

it('keeps only the latest progress while the client is behind, and every event that must go', async () => {
  seq = 0;
  const c = client();
  const socket = { bufferedAmount: 0, readyState: 1 };
  const stats: StreamStats = { coalesced: 0, overflowCloses: 0 };
  const paced = new PacedSink(c.sink, socket, limits, stats, c.slot);

  paced.event(ev({ type: 'started', query: 'q', datasetId: 'shop' }));
  expect(c.seqs()).toEqual([1]);
  socket.bufferedAmount = 5_000; // behind: past soft, below hard
  for (const p of [41, 42, 43]) paced.event(stage(p)); // 2, 3, 4
  paced.event(rows(100)); // 5
  paced.event(rows(200)); // 6
  paced.event(ev({ type: 'plan', steps: [] })); // 7: must go, with the latest progress before it
  expect(c.seqs()).toEqual([1, 4, 6, 7]);
  paced.event(stage(44)); // 8
  paced.event(stage(45)); // 9
  paced.event(rows(300)); // 10
  // Nothing but progress is waiting: held back while the client is behind.
  expect(stats.coalesced).toBe(4);
  expect(c.seqs()).toEqual([1, 4, 6, 7]);

  socket.bufferedAmount = 0; // caught up: the latest of each kind goes out
  await until(() => expect(c.seqs()).toEqual([1, 4, 6, 7, 9, 10]));
  paced.event(stage(46)); // 11
  paced.event(ev({ type: 'cancelled', reason: 'x' })); // 12
  paced.end();
  expect(c.seqs()).toEqual([1, 4, 6, 7, 9, 10, 11, 12]);
  expect(stats).toEqual({ coalesced: 4, overflowCloses: 0 });
  expect([c.ended(), c.slot.released]).toEqual([1, 1]);
});

it('never holds back a terminal event, and sends what it holds when the stream ends', () => {
  seq = 0;
  const c = client();
  const paced = new PacedSink(
    c.sink,
    { bufferedAmount: 5_000, readyState: 1 },
    limits,
    undefined,
    c.slot,
  );
  paced.event(stage(41));
  paced.event(stage(42));
  paced.event(ev({ type: 'cancelled', reason: 'x' }));
  expect(c.seqs()).toEqual([2, 3]);
  paced.event(rows(1)); // (a stream that ends without a terminal event: its end flushes)
  paced.end();
  expect(c.seqs()).toEqual([2, 3, 4]);
});

it('stops its source and gives the slot back once, however it ends', () => {
  seq = 0;
  const c = client();
  const paced = new PacedSink(
    c.sink,
    { bufferedAmount: 5_000, readyState: 1 },
    limits,
    undefined,
    c.slot,
  );
  const source = {
    stopped: 0,
    stop() {
      this.stopped += 1;
    },
  };
  paced.following = source;
  paced.event(stage(10));
  paced.stop();
  paced.stop();
  expect([source.stopped, c.slot.released, c.ended()]).toEqual([1, 1, 0]);
  expect(c.seqs()).toEqual([]);
});

it('starts the subscriptions of one socket one after another, each once the last one sent', async () => {
  seq = 0;
  const socket = { bufferedAmount: 0, readyState: 1 };
  const started: number[] = [];
  const sinks = [0, 1, 2].map(() => {
    const c = client();
    return { c, paced: new PacedSink(c.sink, socket, limits, undefined, c.slot) };
  });
  for (const [i, { paced }] of sinks.entries()) paced.startInTurn(() => started.push(i));
  // The first starts at once; the second waits for the first one's first event.
  expect(started).toEqual([0]);
  const first = ev({ type: 'started', query: 'q', datasetId: 'shop' });
  sinks[0]?.paced.event(first);
  await until(() => expect(started).toEqual([0, 1]));
  // One that ends without sending passes its turn on too.
  sinks[1]?.paced.end();
  await until(() => expect(started).toEqual([0, 1, 2]));
  expect(sinks.map((s) => s.c.ended())).toEqual([0, 1, 0]);
});

it('starts nothing more for a socket that closed, and sends nothing more to it', async () => {
  seq = 0;
  const socket = { bufferedAmount: 0, readyState: 1 };
  const a = client();
  const b = client();
  const first = new PacedSink(a.sink, socket, limits, undefined, a.slot);
  const second = new PacedSink(b.sink, socket, limits, undefined, b.slot);
  let followed = 0;
  first.startInTurn(() => {
    followed += 1;
  });
  second.startInTurn(() => {
    followed += 1;
  });
  first.event(ev({ type: 'started', query: 'q', datasetId: 'shop' }));
  socket.readyState = 3; // cut at the hard bound, say
  first.event(stage(50));
  // The second one's turn came after the close: it ends without following anything.
  await until(() => expect(b.ended()).toBe(1));
  expect(followed).toBe(1);
  expect(a.seqs()).toEqual([1]);
  expect([a.ended(), a.slot.released, b.slot.released]).toEqual([1, 1, 1]);
  expect(b.seqs()).toEqual([]);
});

it('lets the next subscription start once the first one has replayed nothing', async () => {
  const socket = { bufferedAmount: 0, readyState: 1 };
  const a = client();
  const b = client();
  const started: string[] = [];
  const first = new PacedSink(a.sink, socket, limits, undefined, a.slot);
  first.startInTurn(() => started.push('a'));
  new PacedSink(b.sink, socket, limits, undefined, b.slot).startInTurn(() => started.push('b'));
  expect(started).toEqual(['a']);
  first.caughtUp();
  await Promise.resolve();
  expect(started).toEqual(['a', 'b']);
});

it('lets the next subscription start after a while when the first waits on live events', async () => {
  const socket = { bufferedAmount: 0, readyState: 1 };
  const a = client();
  const b = client();
  const started: string[] = [];
  new PacedSink(a.sink, socket, limits, undefined, a.slot).startInTurn(() => started.push('a'));
  new PacedSink(b.sink, socket, limits, undefined, b.slot).startInTurn(() => started.push('b'));
  expect(started).toEqual(['a']);
  await until(() => expect(started).toEqual(['a', 'b']));
});

it('sends each event as its wire form', () => {
  seq = 0;
  const c = client();
  const sent: RunEvent[] = [];
  const sink: PushSink<RunEvent> = { ...c.sink, item: (_id, event) => sent.push(event) };
  const original = ev({ type: 'cancelled', reason: 'x' });
  const replaced = { ...original, reason: 'y' } as RunEvent;
  const paced = new PacedSink(
    sink,
    { bufferedAmount: 0, readyState: 1 },
    limits,
    undefined,
    c.slot,
    (event) => (event === original ? replaced : event),
  );
  paced.event(original);
  expect(sent).toEqual([replaced]);
});
