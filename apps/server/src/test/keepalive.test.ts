// Keep-alive: the server pings every `pingMs`; a client that stops answering is dropped after
// `pongWaitMs` more, while one that answers stays on the same connection throughout.
import { expect, it } from 'vitest';
import WebSocket from 'ws';
import { SLOW, storedEvents, subscribeAll } from './harness.ts';
import { onCleanup, testClient, testServer, until } from './scope.ts';

it('drops a client that stops answering pings and keeps one that answers', async () => {
  // Windows wide enough that a loaded machine (client and server share this process) does not
  // make the answering client look silent.
  const server = await testServer({ pingMs: 400, pongWaitMs: 400 });
  const { trpc } = testClient(server.url);
  const { runId } = await trpc.runs.start.mutate({ query: SLOW });
  const events = subscribeAll(trpc, runId);
  await until(() => expect(server.connections.live.size).toBe(1));
  const [answering] = [...server.connections.live];

  // A raw socket reads every frame but never answers the server's "PING".
  const silent = new WebSocket(`${server.url.replace('http', 'ws')}/trpc`);
  onCleanup(() => silent.terminate());
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
  expect(seen).toEqual(await storedEvents(server, runId));
  expect(seen.at(-1)?.type).toBe('completed');
  expect([...server.connections.live]).toEqual([answering]);
});
