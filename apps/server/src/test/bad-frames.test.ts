// Raw frames a broken or hostile client might send, against the real ws endpoint and the HTTP
// handler. Each gets a clear error or a close code; the server stays up; a healthy subscriber
// on another socket receives every event of its run throughout.
import type { RunEventOutput } from '@querylane/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  createTestClient,
  ENDLESS,
  removeDir,
  startTestServer,
  storedEvents,
  subscribeAll,
  type TestClient,
} from './harness.ts';
import { until } from './scope.ts';

type Server = Awaited<ReturnType<typeof startTestServer>>;
interface Reply {
  id: string | number | null;
  result?: { type: string };
  error?: { json: { message: string; data: { code: string } } };
  method?: string;
}

const MAX_BYTES = 64 * 1024;
const SUBSCRIPTION_CAP = 50;
// Streams rows until cancelled, one `rows` event per 5 ms: a subscriber with plenty to miss.
const STREAM_FOREVER =
  'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c';

let server: Server;
let healthy: TestClient;
let healthyRunId: string;
let healthyEvents: Promise<RunEventOutput[]>;
let wsUrl: string;

beforeAll(async () => {
  server = await startTestServer({
    maxMessageBytes: MAX_BYTES,
    progressMs: 5,
    queryTimeoutMs: 120_000,
    streamLimits: { maxSubscriptionsPerSocket: SUBSCRIPTION_CAP },
    // Room for frames of 400 calls and thousands of calls a second, so the subscription cap is
    // what refuses here (the call limits have their own tests in hostile/).
    security: { maxCallsPerBatch: 400, wsMessagesPerSecond: 5_000 },
  });
  wsUrl = `${server.url.replace('http', 'ws')}/trpc`;
  healthy = createTestClient(server.url);
  healthyRunId = (await healthy.trpc.runs.start.mutate({ query: STREAM_FOREVER })).runId;
  healthyEvents = subscribeAll(healthy.trpc, healthyRunId);
});

afterAll(async () => {
  healthy?.close();
  await server?.close();
  if (server) removeDir(server.dataDir);
});

/** A raw socket that records every frame it receives and how it closed. */
async function rawSocket(query = '') {
  const ws = new WebSocket(wsUrl + query);
  const replies: Reply[] = [];
  let closed: { code: number; reason: string } | undefined;
  ws.on('message', (m) => replies.push(JSON.parse(String(m)) as Reply));
  ws.on('close', (code, reason) => {
    closed = { code, reason: String(reason) };
  });
  await new Promise((ok, fail) => {
    ws.once('open', ok);
    ws.once('error', fail);
  });
  return {
    ws,
    replies,
    closed: () => closed,
    [Symbol.dispose]: () => ws.terminate(),
  };
}

const errorOf = (reply: Reply | undefined) => ({
  id: reply?.id,
  code: reply?.error?.json.data.code,
  message: reply?.error?.json.message,
});

const health = (id: number) =>
  JSON.stringify({ id, method: 'query', params: { path: 'health', input: { json: null } } });

/** Sends `frame`, expects one error reply, and checks the socket still answers afterwards. */
async function expectError(frame: string | Buffer, binary = false) {
  using socket = await rawSocket();
  socket.ws.send(frame, { binary });
  await until(() => expect(socket.replies).toHaveLength(1));
  socket.ws.send(health(99));
  await until(() => expect(socket.replies).toHaveLength(2));
  expect(socket.replies[1]).toMatchObject({ id: 99, result: { type: 'data' } });
  expect(socket.closed()).toBeUndefined();
  return errorOf(socket.replies[0]);
}

describe('bad frames on the WebSocket', () => {
  it('answers invalid JSON with PARSE_ERROR and keeps the socket', async () => {
    expect(await expectError('{ not json')).toMatchObject({ id: null, code: 'PARSE_ERROR' });
  });

  it('answers a binary frame with PARSE_ERROR', async () => {
    const err = await expectError(Buffer.from(health(1)), true);
    expect(err).toMatchObject({ id: null, code: 'PARSE_ERROR' });
    expect(err.message).toContain('binary');
  });

  it('closes the socket with 1009 on a frame over maxPayload', async () => {
    using socket = await rawSocket();
    socket.ws.send('x'.repeat(MAX_BYTES + 1));
    await until(() => expect(socket.closed()?.code).toBe(1009));
    expect(socket.replies).toEqual([]);
  });

  it('rejects an unknown method and an unknown path', async () => {
    const method = JSON.stringify({ id: 1, method: 'bogus', params: { path: 'health' } });
    expect(await expectError(method)).toEqual({
      id: null,
      code: 'PARSE_ERROR',
      message: 'Invalid procedure type',
    });
    const path = JSON.stringify({
      id: 2,
      method: 'query',
      params: { path: 'runs.nothing', input: { json: null } },
    });
    expect(await expectError(path)).toEqual({
      id: 2,
      code: 'NOT_FOUND',
      message: 'No "query"-procedure on path "runs.nothing"',
    });
  });

  it('rejects ids of the wrong type and id: null', async () => {
    for (const id of ['{"a":1}', 'true', '[1]', 'false']) {
      const frame = `{"id":${id},"method":"query","params":{"path":"health","input":{"json":null}}}`;
      const err = await expectError(frame);
      expect(err.code).toBe('PARSE_ERROR');
    }
    expect(await expectError(health(0).replace('"id":0', '"id":null'))).toEqual({
      id: null,
      code: 'PARSE_ERROR',
      message: '`id` is required',
    });
  });

  it('rejects a frame with no params or not an object, in plain words', async () => {
    const noInput = await expectError(
      JSON.stringify({ id: 5, method: 'query', params: { path: 'health' } }),
    );
    expect(noInput.code).toBe('PARSE_ERROR');
    expect(noInput.message).toMatch(/^Malformed message/);
    expect(await expectError('[1, "a", null]')).toMatchObject({
      code: 'PARSE_ERROR',
      message: 'Not an object',
    });
  });

  it('survives deeply nested JSON, in the frame, the input and the transformer meta', async () => {
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    expect(await expectError(deep(30_000))).toMatchObject({ id: null, code: 'PARSE_ERROR' });
    const input = `{"id":7,"method":"query","params":{"path":"runs.byId","input":{"json":{"runId":${deep(20_000)}}}}}`;
    expect(await expectError(input)).toMatchObject({ id: 7, code: 'BAD_REQUEST' });
    const meta = `{"id":8,"method":"query","params":{"path":"runs.byId","input":{"json":{"runId":"x"},"meta":{"values":${deep(20_000)}}}}}`;
    const err = await expectError(meta);
    expect(err.code).toBe('PARSE_ERROR');
    expect(err.message).toMatch(/^Malformed message/);
  });

  it('closes a socket whose connectionParams are malformed or nested, with an error first', async () => {
    for (const frame of [
      '"just a string"',
      '{ not json',
      JSON.stringify({ method: 'connectionParams', data: 'x' }),
      JSON.stringify({ method: 'connectionParams', data: { token: { nested: { deep: 1 } } } }),
    ]) {
      using socket = await rawSocket('?connectionParams=1');
      socket.ws.send(frame);
      await until(() => expect(socket.closed()).toBeDefined());
      expect(socket.replies.map(errorOf)).toEqual([
        expect.objectContaining({ id: null, code: 'PARSE_ERROR' }),
      ]);
    }
  });

  it('answers a subscription to a run that does not exist with NOT_FOUND', async () => {
    const frame = JSON.stringify({
      id: 8,
      method: 'subscription',
      params: { path: 'runs.events', input: { json: { runId: 'no-such-run' } } },
    });
    expect(await expectError(frame)).toEqual({
      id: 8,
      code: 'NOT_FOUND',
      message: 'Run "no-such-run" was not found',
    });
  });

  it(`caps one socket at ${SUBSCRIPTION_CAP} subscriptions when it asks for thousands`, async () => {
    // A run that stays open with few events, so each subscription holds a slot cheaply.
    const { runId } = await healthy.trpc.runs.start.mutate({ query: ENDLESS });
    using socket = await rawSocket();
    const total = 2_000;
    const sub = (id: number) => ({
      id,
      method: 'subscription',
      params: { path: 'runs.events', input: { json: { runId } } },
    });
    // Batches of 400 keep each frame under maxPayload.
    for (let from = 1; from <= total; from += 400) {
      socket.ws.send(JSON.stringify(Array.from({ length: 400 }, (_, i) => sub(from + i))));
    }
    const started = () => socket.replies.filter((r) => r.result?.type === 'started');
    const refused = () => socket.replies.filter((r) => r.error);
    await until(() => expect(started().length + refused().length).toBe(total));
    expect(started()).toHaveLength(SUBSCRIPTION_CAP);
    expect(new Set(refused().map((r) => r.error?.json.data.code))).toEqual(
      new Set(['TOO_MANY_REQUESTS']),
    );
    const ids = [...started(), ...refused()].map((r) => Number(r.id)).sort((a, b) => a - b);
    expect(ids).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    // Every refusal counted; the audit log keeps a bounded number of rows for one source.
    expect(server.services.audit.refusals.subscriptions_per_socket).toBe(total - SUBSCRIPTION_CAP);
    const rows = await server.stores.audit.list({
      limit: 1_000,
      reason: 'subscriptions_per_socket',
    });
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(100); // about 60 a minute per source; the rest are counted
    // Subscriptions on one socket start a turn of the event loop apart: all of them, in time.
    await until(() => expect(server.services.events.listenerCount(runId)).toBe(SUBSCRIPTION_CAP));
    socket.ws.terminate();
    await until(() => expect(server.services.events.listenerCount(runId)).toBe(0));
    await healthy.trpc.runs.cancel.mutate({ runId });
  });

  it('refuses a second subscription under an id already in use', async () => {
    using socket = await rawSocket();
    const frame = JSON.stringify({
      id: 'same',
      method: 'subscription',
      params: { path: 'runs.events', input: { json: { runId: healthyRunId } } },
    });
    socket.ws.send(frame);
    await until(() => expect(socket.replies.some((r) => r.result?.type === 'started')).toBe(true));
    socket.ws.send(frame);
    await until(() => expect(socket.replies.some((r) => r.error)).toBe(true));
    expect(errorOf(socket.replies.find((r) => r.error))).toEqual({
      id: 'same',
      code: 'BAD_REQUEST',
      message: 'Duplicate id same',
    });
  });
});

describe('bad requests over HTTP', () => {
  const send = async (method: string, path: string, body?: string) => {
    const res = await fetch(server.url + path, {
      method,
      ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }),
    });
    const json = (await res.json()) as { error: { json: { data: { code: string } } } };
    return [res.status, json.error.json.data.code] as const;
  };

  it('answers bad JSON, huge bodies, wrong methods and unknown paths with their status', async () => {
    expect(await send('POST', '/trpc/runs.start', '{ nope')).toEqual([400, 'BAD_REQUEST']);
    const huge = JSON.stringify({ json: { query: 'x'.repeat(MAX_BYTES) } });
    expect(await send('POST', '/trpc/runs.start', huge)).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    expect(await send('GET', '/trpc/runs.start')).toEqual([405, 'METHOD_NOT_SUPPORTED']);
    expect(await send('POST', '/trpc/health', '{}')).toEqual([405, 'METHOD_NOT_SUPPORTED']);
    expect(await send('PUT', '/trpc/health', '{}')).toEqual([405, 'METHOD_NOT_SUPPORTED']);
    expect(await send('GET', '/trpc/nope')).toEqual([404, 'NOT_FOUND']);
    expect(await send('GET', '/trpc/runs.byId?input=%7Bbad')).toEqual([400, 'BAD_REQUEST']);
  });
});

describe('after all of it', () => {
  it('is still up, and the healthy subscriber got every event of its run, once, in order', async () => {
    const res = await fetch(`${server.url}/trpc/health`);
    expect(res.status).toBe(200);
    await healthy.trpc.runs.cancel.mutate({ runId: healthyRunId });
    const events = await healthyEvents;
    const stored = await storedEvents(server, healthyRunId);
    expect(events).toEqual(stored);
    expect(events.map((e) => e.seq)).toEqual(stored.map((_, i) => i + 1));
    expect(events.at(-1)?.type).toBe('cancelled');
    expect(events.filter((e) => e.type === 'rows').length).toBeGreaterThan(20);
  });
});
