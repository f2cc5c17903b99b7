// The handler against tRPC's own ws adapter, side by side on the same router and services: the
// same frames in must give byte-for-byte the same frames out, including the events a push
// subscription sends (which tRPC's adapter pulls from the same stream one by one).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { stringifyTrackedOnce } from '@querylane/contracts/transformer';
import { RunRecorder } from '@querylane/runs';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { createContextFactory } from '../context.ts';
import { LOCAL_USER_ID } from '../identity.ts';
import { appRouter } from '../root.ts';
import { createTestApp } from '../test/setup.ts';
import type { Connection } from '../transport.ts';
import { applyWsHandler } from './handler.ts';

type App = Awaited<ReturnType<typeof createTestApp>>;
let app: App;
const hosts: { name: string; url: string; close(): Promise<void> }[] = [];
/** A run that has ended, and one that stays open (started, never claimed by a worker). */
let ended: string;
let open: string;

async function host(name: 'trpc' | 'ours') {
  const http: Server = createServer();
  const wss = new WebSocketServer({ server: http });
  const context = createContextFactory(app.services);
  const connectionFor = (socket: WebSocket): Connection => ({
    id: name,
    transport: 'ws',
    ip: '127.0.0.1',
    since: new Date(0),
    socket,
    subscriptions: 0,
    identity: null,
  });
  let close = () => {};
  if (name === 'trpc') {
    const handler = applyWSSHandler({
      wss,
      router: appRouter,
      createContext: ({ res, info }) => {
        if (info.connectionParams?.bad) throw new Error('refused');
        return context(connectionFor(res as unknown as WebSocket));
      },
    });
    close = () => handler.broadcastReconnectNotification();
  } else {
    const handler = applyWsHandler({
      wss,
      router: appRouter,
      // As the server runs it: items built from the serialisation the store made.
      stringifyItem: stringifyTrackedOnce,
      createContext: ({ socket, connectionParams }) => {
        if (connectionParams?.bad) throw new Error('refused');
        return context(connectionFor(socket));
      },
    });
    close = () => handler.broadcastReconnectNotification();
  }
  await new Promise<void>((ok) => http.listen(0, '127.0.0.1', ok));
  const { port } = http.address() as AddressInfo;
  return {
    name,
    url: `ws://127.0.0.1:${port}`,
    async close() {
      close();
      for (const client of wss.clients) client.terminate();
      await new Promise((ok) => wss.close(ok));
      await new Promise((ok) => http.close(ok));
    },
  };
}

/** Sends each frame once the replies to the previous one are in; returns every reply. */
async function exchange(
  url: string,
  steps: { send: string | Buffer; replies: number }[],
  query = '',
): Promise<string[]> {
  const ws = new WebSocket(`${url}/${query}`);
  const replies: string[] = [];
  let waiting: (() => void) | undefined;
  let want = 0;
  ws.on('message', (data) => {
    replies.push(String(data));
    if (replies.length >= want) waiting?.();
  });
  await new Promise((ok) => ws.once('open', ok));
  try {
    for (const step of steps) {
      want += step.replies;
      const done = new Promise<void>((ok) => {
        waiting = ok;
      });
      ws.send(step.send, { binary: Buffer.isBuffer(step.send) });
      if (replies.length < want) await done;
    }
    return replies;
  } finally {
    ws.terminate();
  }
}

async function both(steps: Parameters<typeof exchange>[1], query?: string) {
  const [trpc = [], ours = []] = await Promise.all(hosts.map((h) => exchange(h.url, steps, query)));
  return { trpc, ours };
}

const frame = (value: unknown) => JSON.stringify(value);
const sub = (id: number | string, runId: string, extra: object = {}) =>
  frame({
    id,
    method: 'subscription',
    params: { path: 'runs.events', input: { json: { runId } } },
    ...extra,
  });

beforeAll(async () => {
  app = await createTestApp({ concurrency: 2 });
  ended = (await app.caller.runs.start({ query: 'SELECT 1 AS one' })).runId;
  await app.caller.runs.events({ runId: ended, lastEventId: null }).then(async (events) => {
    for await (const _ of events) {
      // to its end
    }
  });
  // Started and left waiting: a stream that stays open until it is stopped.
  open = crypto.randomUUID();
  const conversationId = crypto.randomUUID();
  await app.stores.runs.start({
    conversation: { id: conversationId, userId: LOCAL_USER_ID, title: 'open' },
    run: {
      id: open,
      userId: LOCAL_USER_ID,
      conversationId,
      datasetId: 'shop',
      kind: 'sql',
      query: 'x',
    },
    message: {
      id: crypto.randomUUID(),
      conversationId,
      userId: LOCAL_USER_ID,
      role: 'user',
      content: 'x',
      runId: open,
    },
    events: [],
  });
  const recorder = new RunRecorder(open, 0, app.services.events);
  recorder.emit({ type: 'started', query: 'x', datasetId: 'shop' });
  await recorder.flush();
  hosts.push(await host('trpc'), await host('ours'));
}, 120_000);

afterAll(async () => {
  for (const h of hosts) await h.close();
  await app?.close();
});

describe('the WebSocket handler, frame for frame as tRPC’s adapter', () => {
  it('answers queries, batches and PING alike', async () => {
    const { trpc, ours } = await both([
      { send: 'PING', replies: 1 },
      {
        send: frame({ id: 1, method: 'query', params: { path: 'session', input: { json: null } } }),
        replies: 1,
      },
      {
        send: frame([
          {
            id: 2,
            jsonrpc: '2.0',
            method: 'query',
            params: { path: 'datasets.list', input: { json: null } },
          },
          {
            id: 3,
            method: 'query',
            params: { path: 'runs.byId', input: { json: { runId: ended } } },
          },
        ]),
        replies: 2,
      },
    ]);
    expect(trpc[0]).toBe('PONG');
    expect(ours.sort()).toEqual(trpc.sort());
  });

  it('streams a run’s events with the same bytes, tracked, with or without jsonrpc', async () => {
    const stored = await app.stores.history.after(ended, 0, 100);
    const n = stored.length + 2; // started, each event, stopped
    const { trpc, ours } = await both([
      { send: sub(7, ended), replies: n },
      {
        send: sub('s', ended, {
          jsonrpc: '2.0',
          params: { path: 'runs.events', input: { json: { runId: ended } }, lastEventId: '2' },
        }),
        replies: n - 2,
      },
    ]);
    expect(trpc).toHaveLength(2 * n - 2);
    expect(ours).toEqual(trpc);
    expect(trpc[1]).toContain('"type":"data"');
  });

  it('stops a live subscription on request and refuses a duplicate id', async () => {
    const { trpc, ours } = await both([
      { send: sub(9, open), replies: 2 }, // started, then the stored `started` event
      { send: sub(9, open), replies: 1 }, // duplicate id
      { send: frame({ id: 9, method: 'subscription.stop' }), replies: 1 },
    ]);
    expect(trpc.at(-1)).toBe('{"id":9,"result":{"type":"stopped"}}');
    expect(ours).toEqual(trpc);
  });

  it('answers bad frames with the same errors', async () => {
    const { trpc, ours } = await both([
      { send: '{ not json', replies: 1 },
      {
        send: Buffer.from(frame({ id: 1, method: 'query', params: { path: 'health' } })),
        replies: 1,
      },
      {
        send: frame({
          id: null,
          method: 'query',
          params: { path: 'health', input: { json: null } },
        }),
        replies: 1,
      },
      { send: frame({ id: 2, method: 'bogus', params: { path: 'health' } }), replies: 1 },
      {
        send: frame({
          id: 3,
          method: 'query',
          params: { path: 'runs.nothing', input: { json: null } },
        }),
        replies: 1,
      },
      {
        send: frame({
          id: 4,
          method: 'mutation',
          params: { path: 'runs.start', input: { json: { query: '' } } },
        }),
        replies: 1,
      },
      {
        send: frame({
          id: 5,
          method: 'subscription',
          params: { path: 'runs.events', input: { json: { runId: 'nope' } } },
        }),
        replies: 1,
      },
      {
        send: frame({
          id: 6,
          method: 'query',
          params: { path: 'runs.events', input: { json: { runId: ended } } },
        }),
        replies: 1,
      },
    ]);
    expect(trpc).toHaveLength(8);
    expect(ours).toEqual(trpc);
  });

  it('takes connectionParams first when asked to, and refuses bad ones alike', async () => {
    const params = (data: unknown) => frame({ method: 'connectionParams', data });
    const good = await both(
      [
        { send: params({ token: 'x' }), replies: 0 },
        {
          send: frame({
            id: 1,
            method: 'query',
            params: { path: 'session', input: { json: null } },
          }),
          replies: 1,
        },
      ],
      '?connectionParams=1',
    );
    expect(good.ours).toEqual(good.trpc);
    const bad = await both([{ send: params({ bad: 'yes' }), replies: 1 }], '?connectionParams=1');
    const malformed = await both([{ send: '[1', replies: 1 }], '?connectionParams=1');
    expect(bad.ours).toEqual(bad.trpc);
    expect(malformed.ours).toEqual(malformed.trpc);
    expect(malformed.trpc[0]).toContain('PARSE_ERROR');
  });
});
