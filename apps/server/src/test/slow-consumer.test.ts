// A client that stops reading. Past the soft bound it gets only the latest progress (and every
// event that must arrive); past the hard bound its socket is closed, and it can resume later.
import type { RunEventOutput } from '@querylane/api';
import { transformer } from '@querylane/contracts/transformer';
import { expect, it } from 'vitest';
import WebSocket from 'ws';
import { storedEvents, subscribeAll } from './harness.ts';
import { onCleanup, testClient, testServer, until } from './scope.ts';

const SOFT = 64 * 1024;
const SUBSCRIPTIONS = 30;
// A completed event of about 750 KB: 5,000 wide rows. Thirty of them outgrow what the kernel
// buffers on loopback, so the rest waits in the server's socket.
const BIG = `SELECT oi.*, o.*, p.name, p.category FROM order_items oi
JOIN orders o ON o.id = oi.order_id JOIN products p ON p.id = oi.product_id LIMIT 5000`;
// About a second of streaming rows, one `rows` event per 5 ms.
const STREAMING = `SELECT oi.id, oi.quantity, o.status FROM order_items oi
JOIN orders o ON o.id = oi.order_id`;

interface Frame {
  id: string | number | null;
  result?: { type: string; data?: unknown };
}

async function setup(hardBufferBytes: number) {
  const server = await testServer({
    progressMs: 5,
    maxRows: 5_000,
    streamLimits: { softBufferBytes: SOFT, hardBufferBytes },
  });
  const healthy = testClient(server.url);
  const big = (await healthy.trpc.runs.start.mutate({ query: BIG })).runId;
  await subscribeAll(healthy.trpc, big);

  // The slow client: a raw socket that stops reading, then asks for the big run 30 times over.
  const slow = new WebSocket(`${server.url.replace('http', 'ws')}/trpc`);
  onCleanup(() => slow.terminate());
  const frames: Frame[] = [];
  slow.on('message', (m) => frames.push(JSON.parse(String(m)) as Frame));
  await new Promise((ok) => slow.once('open', ok));
  const subscribe = (id: string, runId: string) => ({
    id,
    method: 'subscription',
    params: { path: 'runs.events', input: { json: { runId } } },
  });
  slow.pause();
  slow.send(
    JSON.stringify(Array.from({ length: SUBSCRIPTIONS }, (_, i) => subscribe(`big-${i}`, big))),
  );
  const backlog = () =>
    Math.max(...[...server.connections.live].map((c) => c.socket?.bufferedAmount ?? 0));
  return { server, healthy, big, slow, frames, subscribe, backlog };
}

/** The run events one subscription id received, decoded as a client would. */
function eventsFor(frames: Frame[], id: string): RunEventOutput[] {
  return frames
    .filter((f) => f.id === id && f.result?.type === 'data')
    .map(
      (f) =>
        transformer.deserialize<{ id: string; data: RunEventOutput }>(f.result?.data as never).data,
    );
}

it('coalesces progress for a client that stops reading, and keeps every event that matters', async () => {
  const { server, healthy, big, slow, frames, subscribe, backlog } = await setup(
    1024 * 1024 * 1024,
  );
  await until(() => expect(backlog()).toBeGreaterThan(SOFT));
  // The 30 replays start one after another; once all have been handed to the socket, none is open.
  const open = () => [...server.connections.live].reduce((n, c) => n + c.subscriptions, 0);
  await until(() => expect(open()).toBe(0));

  const live = (await healthy.trpc.runs.start.mutate({ query: STREAMING })).runId;
  slow.send(JSON.stringify(subscribe('live', live)));
  const all = await subscribeAll(healthy.trpc, live);
  // The slow client's subscription has ended on the server once no one listens to the run.
  await until(() => expect(server.services.events.listenerCount(live)).toBe(0));
  expect(backlog()).toBeGreaterThan(SOFT);

  slow.resume();
  await until(() => expect(frames).toContainEqual({ id: 'live', result: { type: 'stopped' } }));
  const got = eventsFor(frames, 'live');
  const stored = await storedEvents(server, live);
  expect(all).toEqual(stored);

  const progress = (e: RunEventOutput) => e.type === 'stage' || e.type === 'rows';
  const seqs = got.map((e) => e.seq);
  expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  expect(new Set(seqs).size).toBe(seqs.length);
  // Whatever arrived is exactly what is stored under that seq.
  expect(got).toEqual(stored.filter((e) => seqs.includes(e.seq)));
  // Nothing but progress was left out, and some progress was.
  expect(stored.filter((e) => !progress(e)).map((e) => e.seq)).toEqual(
    got.filter((e) => !progress(e)).map((e) => e.seq),
  );
  expect(got.length).toBeLessThan(stored.length);
  // Every event left out is counted, on this run and on the big one's thirty replays (each of
  // which may be coalesced too, as it reaches a socket that is already behind).
  const storedBig = await storedEvents(server, big);
  let leftOut = stored.length - got.length;
  for (let i = 0; i < SUBSCRIPTIONS; i++) {
    const replay = eventsFor(frames, `big-${i}`);
    expect(replay.filter((e) => !progress(e))).toEqual(storedBig.filter((e) => !progress(e)));
    leftOut += storedBig.length - replay.length;
  }
  expect(server.services.streamStats.coalesced).toBe(leftOut);
  expect(got.at(-1)?.type).toBe('completed');
  expect(server.services.streamStats.overflowCloses).toBe(0);
});

it('closes the socket of a client past the hard bound; it resumes from its last event later', async () => {
  const { server, healthy, big, slow, frames } = await setup(1024 * 1024);
  const closed = new Promise<number>((ok) => slow.once('close', (code) => ok(code)));
  await until(() => expect(server.services.streamStats.overflowCloses).toBe(1));
  expect(server.services.audit.refusals.slow_consumer).toBe(1);
  await until(() => expect(server.connections.live.size).toBe(1)); // only the healthy client
  slow.resume();
  expect(await closed).toBe(1006);

  // Cut off, some subscriptions never saw their run end; each resumes from its last event.
  const stored = await storedEvents(server, big);
  const cutShort = Array.from({ length: SUBSCRIPTIONS }, (_, i) =>
    eventsFor(frames, `big-${i}`),
  ).filter((events) => events.at(-1)?.type !== 'completed');
  expect(cutShort.length).toBeGreaterThan(0);
  for (const first of cutShort.slice(0, 3)) {
    expect(first).toEqual(stored.slice(0, first.length));
    const rest = await subscribeAll(healthy.trpc, big, {
      lastEventId: String(first.at(-1)?.seq ?? 0),
    });
    expect([...first, ...rest]).toEqual(stored);
  }
});
