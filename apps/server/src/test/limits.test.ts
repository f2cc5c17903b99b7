// Transport limits against the real server: origins, connections per user and per address, the
// per-user run rate, the socket message rate and message and body sizes.
import type { AppRouter } from '@querylane/api';
import type { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import { createTestClient } from './harness.ts';
import { until } from './scope.ts';
import {
  client,
  closed,
  rawSocket,
  refusals,
  serve,
  TOKENS,
  tokenAuth,
} from './security-helpers.ts';

describe('limits', () => {
  it('refuses a foreign Origin with 403 before the upgrade and on HTTP; allows listed and same origins', async () => {
    const { server } = await serve({ allowedOrigins: ['https://app.example'] });
    expect((await rawSocket(server.url, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await rawSocket(server.url, { origin: 'https://app.example' })).status).toBeNull();
    expect((await rawSocket(server.url, { origin: server.url })).status).toBeNull();
    expect((await rawSocket(server.url)).status).toBeNull();

    const get = (origin?: string, method = 'GET') =>
      fetch(`${server.url}/trpc/health`, { method, headers: origin ? { origin } : {} });
    expect((await get('https://evil.example')).status).toBe(403);
    expect((await get('https://evil.example', 'OPTIONS')).status).toBe(403);
    const allowed = await get('https://app.example');
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
    const preflight = await get('https://app.example', 'OPTIONS');
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
    const same = await get(server.url);
    expect(same.status).toBe(200);
    expect(same.headers.get('access-control-allow-origin')).toBeNull();

    expect(
      (await refusals(server, 'origin')).map((r) => (r.detail as { origin: string }).origin),
    ).toEqual(['https://evil.example', 'https://evil.example', 'https://evil.example']);
  });

  it('closes a socket beyond the per-user limit with 4029 and leaves other users alone', async () => {
    const { server } = await serve({ auth: tokenAuth, maxConnectionsPerUser: 2 });
    for (let i = 0; i < 2; i++) {
      await client(server.url, { token: TOKENS.alice }).datasets.list.query();
    }
    await until(() => expect(server.connections.countUser('alice')).toBe(2));
    const closes: (number | undefined)[] = [];
    const third = createTestClient(server.url, {
      token: TOKENS.alice,
      onClose: (code) => closes.push(code),
    });
    await until(() => expect(closes[0]).toBe(4029));
    third.close();
    expect(server.connections.countUser('alice')).toBe(2);
    const bob = client(server.url, { token: TOKENS.bob });
    const got: string[] = [];
    bob.notices.subscribe(undefined, { onData: ({ data }) => got.push(data.message) });
    await until(() => expect(server.connections.countUser('bob')).toBe(1));
    expect((await refusals(server, 'connections_per_user'))[0]).toMatchObject({
      userId: 'alice',
      detail: { max: 2 },
    });
  });

  it('answers 429 to an upgrade beyond the per-address limit, and admits again once one closes', async () => {
    const { server } = await serve({ maxConnectionsPerIp: 2 });
    const a = await rawSocket(server.url);
    const b = await rawSocket(server.url);
    expect([a.status, b.status]).toEqual([null, null]);
    expect((await rawSocket(server.url)).status).toBe(429);
    const gone = closed(a.ws);
    a.ws.close();
    await gone;
    await until(async () => expect((await rawSocket(server.url)).status).toBeNull());
    expect((await refusals(server, 'connections_per_ip')).length).toBeGreaterThanOrEqual(1);
  });

  it('rate-limits runs.start per user: TOO_MANY_REQUESTS, retryAfterMs in error.data, Retry-After over HTTP', async () => {
    const { server } = await serve({ auth: tokenAuth, runsPerMinute: 2 });
    const alice = client(server.url, { token: TOKENS.alice });
    await alice.runs.start.mutate({ query: 'SELECT 1' });
    await alice.runs.start.mutate({ query: 'SELECT 2' });
    const err = await alice.runs.start.mutate({ query: 'SELECT 3' }).catch((e: unknown) => e);
    const { data, message } = err as TRPCClientError<AppRouter>;
    expect(data?.code).toBe('TOO_MANY_REQUESTS');
    expect(data?.httpStatus).toBe(429);
    expect(data?.retryAfterMs).toBeGreaterThan(0);
    expect(data?.retryAfterMs).toBeLessThanOrEqual(30_000);
    expect(message).toMatch(/^Too many runs started: try again in \d+ s\.$/);
    const res = await fetch(`${server.url}/trpc/runs.start`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS.alice}`, 'content-type': 'application/json' },
      body: JSON.stringify({ json: { query: 'SELECT 4' } }),
    });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(res.headers.get('retry-after'))).toBeLessThanOrEqual(30);
    // Bob's bucket is his own.
    await client(server.url, { token: TOKENS.bob }).runs.start.mutate({ query: 'SELECT 1' });
    expect((await refusals(server, 'runs_per_minute')).map((r) => r.userId)).toEqual([
      'alice',
      'alice',
    ]);
  });

  it('closes a socket that sends too fast with 1008', async () => {
    const { server } = await serve({ wsMessagesPerSecond: 5 });
    const { ws } = await rawSocket(server.url);
    const end = closed(ws);
    // Far beyond a bucket of 10: the refill while these go out is a fraction of one token.
    for (let i = 0; i < 50; i++) ws.send('PING');
    expect(await end).toEqual({ code: 1008, reason: 'Message rate exceeded' });
    await until(async () => expect(await refusals(server, 'message_rate')).toHaveLength(1));
    expect((await refusals(server, 'message_rate'))[0]?.detail).toEqual({ perSecond: 5 });
  });

  it('closes a socket with 1009 for a message over the limit and answers 413 to a body over it', async () => {
    const { server } = await serve({}, { maxMessageBytes: 2048 });
    const { ws } = await rawSocket(server.url);
    const end = closed(ws);
    ws.send(
      JSON.stringify({
        id: 1,
        method: 'query',
        params: { path: 'health', input: 'x'.repeat(4096) },
      }),
    );
    expect((await end).code).toBe(1009);
    const res = await fetch(`${server.url}/trpc/runs.start`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ json: { query: `SELECT '${'x'.repeat(4096)}'` } }),
    });
    expect(res.status).toBe(413);
    await until(async () => expect(await refusals(server, 'message_size')).toHaveLength(1));
    expect(await refusals(server, 'body_size')).toHaveLength(1);
    expect((await refusals(server, 'body_size'))[0]?.detail).toEqual({ maxBytes: 2048 });
    // Within the limit all is well on a new socket.
    const trpc = client(server.url);
    expect((await trpc.runs.start.mutate({ query: 'SELECT 1' })).runId).toBeTruthy();
  });
});
