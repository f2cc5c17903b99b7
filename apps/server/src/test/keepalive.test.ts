// Keep-alive: the server pings every `pingMs`; a client that stops answering is dropped after
// `pongWaitMs` more, while one that answers stays on the same connection throughout.
import { afterEach, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  createTestClient,
  removeDir,
  SLOW,
  startTestServer,
  storedEvents,
  subscribeAll,
} from './harness.ts';
import { until } from './until.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

it('drops a client that stops answering pings and keeps one that answers', async () => {
  const server = await startTestServer({ pingMs: 150, pongWaitMs: 150 });
  cleanups.push(() => removeDir(server.dataDir));
  cleanups.push(() => server.close());
  const { trpc, close } = createTestClient(server.url);
  cleanups.push(close);
  const { runId } = await trpc.runs.start.mutate({ query: SLOW });
  const events = subscribeAll(trpc, runId);
  await until(() => expect(server.connections.live.size).toBe(1));
  const [answering] = [...server.connections.live];

  // A raw socket reads every frame but never answers the server's "PING".
  const silent = new WebSocket(`${server.url.replace('http', 'ws')}/trpc`);
  cleanups.push(() => silent.terminate());
  const received: string[] = [];
  silent.on('message', (m) => received.push(String(m)));
  const closed = new Promise<number>((ok) => silent.once('close', (code) => ok(code)));
  await new Promise((ok) => silent.once('open', ok));
  await until(() => expect(server.connections.live.size).toBe(2));

  expect(await closed).toBe(1006); // terminated, no close frame
  expect(received).toEqual(['PING']);
  await until(() => expect(server.connections.live.size).toBe(1));
  // The answering client lived through the same pings on its first connection.
  expect([...server.connections.live]).toEqual([answering]);
  const seen = await events;
  expect(seen).toEqual(storedEvents(server, runId));
  expect(seen.at(-1)?.type).toBe('completed');
  expect([...server.connections.live]).toEqual([answering]);
});
