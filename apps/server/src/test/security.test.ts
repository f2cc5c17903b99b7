// Authentication, isolation, limits and admin against the real server on port 0, with the real
// @trpc/client (token in connectionParams and Bearer) and raw sockets where a client must misbehave.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppRouter } from '@querylane/api';
import { TRPCClientError } from '@trpc/client';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parseTokens } from '../auth.ts';
import type { SecurityConfig } from '../gate.ts';
import { createTestClient, freshDataDir, removeDir, startTestServer } from './harness.ts';
import { onCleanup, testClient, testServer, until } from './scope.ts';

const TOKENS = {
  alice: 'alice-token-5f3a9c1e7b2d',
  bob: 'bob-token-8e4d2a6c0f1b',
  root: 'root-token-1c7e5a3f9d2b',
};
const tokenAuth = {
  mode: 'token' as const,
  tokens: parseTokens(`${TOKENS.alice}:alice,${TOKENS.bob}:bob,${TOKENS.root}:root:admin`),
};

async function serve(security: Partial<SecurityConfig>, extra: { maxMessageBytes?: number } = {}) {
  const logged: string[] = [];
  const server = await testServer({
    security,
    ...extra,
    log: (message, err) =>
      logged.push(`${message} ${err instanceof Error ? err.stack : String(err)}`),
  });
  return { server, logged };
}

function client(url: string, opts: Parameters<typeof testClient>[1] = {}) {
  return testClient(url, opts).trpc;
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof TRPCClientError)) throw new Error(`expected a TRPCClientError: ${err}`);
  return (err as TRPCClientError<AppRouter>).data?.code;
}

/** The error a subscription ends with (it must not deliver any data first). */
function subscriptionError(
  subscribe: (cb: { onData: () => void; onError: (err: unknown) => void }) => {
    unsubscribe(): void;
  },
): Promise<TRPCClientError<AppRouter>> {
  return new Promise((resolve, reject) => {
    const sub = subscribe({
      onData: () => reject(new Error('data reached a refused subscriber')),
      onError: (err) => {
        sub.unsubscribe();
        resolve(err as TRPCClientError<AppRouter>);
      },
    });
  });
}

/** A raw socket: resolves once open, or with the HTTP status of a refused upgrade. */
function rawSocket(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ ws: WebSocket; status: number | null }> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/trpc`, { headers });
  onCleanup(() => ws.terminate());
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, status: null }));
    ws.once('unexpected-response', (_req, res) => resolve({ ws, status: res.statusCode ?? 0 }));
    ws.once('error', reject);
  });
}

const closed = (ws: WebSocket) =>
  new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );

async function refusals(server: Awaited<ReturnType<typeof serve>>['server'], reason: string) {
  await server.services.audit.settled();
  return (await server.stores.audit.list({ limit: 100 })).filter(
    (r) => r.kind === 'refused' && r.reason === reason,
  );
}

describe('authentication with tokens', () => {
  it('gives no data without good credentials, over HTTP and WebSocket; health stays public', async () => {
    const { server, logged } = await serve({ auth: tokenAuth });
    const { runId } = await client(server.url, { token: TOKENS.alice }).runs.start.mutate({
      query: 'SELECT 1',
    });

    for (const token of [undefined, 'not-a-token']) {
      const anon = client(server.url, token ? { token } : {});
      expect(await codeOf(anon.runs.list.query())).toBe('UNAUTHORIZED');
      expect(await codeOf(anon.runs.byId.query({ runId }))).toBe('UNAUTHORIZED');
      expect(await codeOf(anon.runs.start.mutate({ query: 'SELECT 1' }))).toBe('UNAUTHORIZED');
      const err = await subscriptionError((cb) => anon.runs.events.subscribe({ runId }, cb));
      expect(err.data?.code).toBe('UNAUTHORIZED');
      expect((await anon.health.query()).ok).toBe(true);
      expect(await anon.session.query()).toEqual({
        authMode: 'token',
        user: null,
        sharing: { enabled: true, reason: null, maxMembers: 20 },
      });
    }
    // Plain HTTP says 401 too.
    const res = await fetch(`${server.url}/trpc/runs.list`, {
      headers: { authorization: 'Bearer wrong' },
    });
    expect(res.status).toBe(401);
    expect((await fetch(`${server.url}/trpc/health`)).status).toBe(200);

    const rows = await refusals(server, 'unauthorized');
    expect(new Set(rows.map((r) => (r.detail as { why: string }).why))).toEqual(
      new Set(['missing', 'invalid']),
    );
    // No token is written anywhere: not in the audit log, not in the server's log.
    const stored = JSON.stringify(await server.stores.audit.list({ limit: 100 }));
    for (const secret of [...Object.values(TOKENS), 'not-a-token']) {
      expect(stored).not.toContain(secret);
      expect(logged.join('\n')).not.toContain(secret);
    }
    expect(await client(server.url, { token: TOKENS.root }).session.query()).toEqual({
      authMode: 'token',
      user: { id: 'root', role: 'admin' },
      sharing: { enabled: true, reason: null, maxMembers: 20 },
    });
  });

  it("keeps two users apart over the wire: another user's things are NOT_FOUND", async () => {
    const { server } = await serve({ auth: tokenAuth });
    const alice = client(server.url, { token: TOKENS.alice });
    const bob = client(server.url, { token: TOKENS.bob });
    const { runId, conversationId } = await alice.runs.start.mutate({ query: 'SELECT 7 AS n' });
    const events: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const sub = alice.runs.events.subscribe(
        { runId },
        {
          onData: ({ data }) => events.push(data.type),
          onError: reject,
          onComplete: () => {
            sub.unsubscribe();
            resolve();
          },
        },
      );
    });
    expect(events.at(-1)).toBe('completed');

    expect(await codeOf(bob.runs.byId.query({ runId }))).toBe('NOT_FOUND');
    expect(await codeOf(bob.runs.cancel.mutate({ runId }))).toBe('NOT_FOUND');
    expect(await codeOf(bob.conversations.byId.query({ conversationId }))).toBe('NOT_FOUND');
    expect(await codeOf(bob.conversations.rename.mutate({ conversationId, title: 'taken' }))).toBe(
      'NOT_FOUND',
    );
    expect(await codeOf(bob.conversations.delete.mutate({ conversationId }))).toBe('NOT_FOUND');
    expect(await codeOf(bob.runs.start.mutate({ query: 'SELECT 1', conversationId }))).toBe(
      'NOT_FOUND',
    );
    const streamed = await subscriptionError((cb) => bob.runs.events.subscribe({ runId }, cb));
    expect(streamed.data?.code).toBe('NOT_FOUND');
    expect(await bob.conversations.list.query()).toEqual({ items: [], nextCursor: null });
    expect((await alice.conversations.byId.query({ conversationId })).title).toBe('SELECT 7 AS n');
  });
});

describe('authentication with JWTs', () => {
  const secret = 'a-test-secret-of-at-least-32-characters!';
  const key = new TextEncoder().encode(secret);
  const sign = (sub: string, expiresAt: number, extra: Record<string, unknown> = {}) =>
    new SignJWT(extra)
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(sub)
      .setExpirationTime(Math.floor(expiresAt / 1000))
      .sign(key);
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

  it('accepts a good HS256 token and refuses alg none, bad signatures and expired ones', async () => {
    const { server } = await serve({ auth: { mode: 'jwt', secret } });
    const hour = Date.now() + 3_600_000;
    const good = await sign('alice', hour);
    expect(await client(server.url, { token: good }).session.query()).toMatchObject({
      user: { id: 'alice', role: 'user' },
    });
    const admin = await sign('root', hour, { role: 'admin' });
    expect(await client(server.url, { token: admin }).session.query()).toMatchObject({
      user: { id: 'root', role: 'admin' },
    });

    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'alice', exp: hour / 1000 })}.`;
    const [header, , signature] = good.split('.');
    const forged = `${header}.${b64({ sub: 'root', exp: Math.floor(hour / 1000), role: 'admin' })}.${signature}`;
    const otherKey = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('alice')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('another-secret-of-at-least-32-characters'));
    const noExp = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('a')
      .sign(key);
    const expired = await sign('alice', Date.now() - 60_000);
    for (const token of [unsigned, forged, otherKey, noExp, expired]) {
      const trpc = client(server.url, { token });
      expect(await codeOf(trpc.conversations.list.query())).toBe('UNAUTHORIZED');
      expect((await trpc.session.query()).user).toBeNull();
    }
    // Each HTTP request above (list, then session) presented a refused token: one entry each.
    const why = (await refusals(server, 'unauthorized'))
      .filter((r) => r.target === 'request')
      .map((r) => (r.detail as { why: string }).why);
    expect(why.filter((w) => w === 'expired')).toHaveLength(2);
    expect(why.filter((w) => w === 'invalid')).toHaveLength(8);
  });

  it('closes a socket when its token expires; the client reconnects with a fresh one and goes on', async () => {
    const { server } = await serve({ auth: { mode: 'jwt', secret } });
    const issued: number[] = [];
    const closes: (number | undefined)[] = [];
    // The first token lapses within two seconds; every later connect gets one good for an hour.
    let first = await sign('alice', Date.now() + 2000);
    const later = await sign('alice', Date.now() + 3_600_000);
    const alice = client(server.url, {
      token: () => {
        issued.push(Date.now());
        const t = first || later;
        first = '';
        return t;
      },
      onClose: (code) => closes.push(code),
    });
    const root = client(server.url, {
      token: await sign('root', Date.now() + 3_600_000, { role: 'admin' }),
    });
    const received: string[] = [];
    alice.notices.subscribe(undefined, {
      onData: ({ data }) => received.push(data.message),
    });
    await until(() => expect(server.connections.countUser('alice')).toBe(1));
    await until(() => expect(closes).toContain(4001));
    // Reconnected as the same user, with the subscription re-established on the new socket.
    await until(() => {
      expect(issued.length).toBeGreaterThanOrEqual(2);
      expect(server.services.notices.listenerCount).toBe(1);
    });
    await root.admin.broadcast.mutate({ message: 'still here' });
    await until(() => expect(received).toEqual(['still here']));
    expect([...server.connections.live].map((c) => c.identity?.userId).sort()).toEqual([
      'alice',
      'root',
    ]);
  });

  it('verifies RS256 tokens against a JWKS URL and refuses algorithm confusion', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    const jwks: Server = createServer((_req, res) => {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((ok) => jwks.listen(0, '127.0.0.1', ok));
    onCleanup(() => new Promise<void>((ok) => jwks.close(() => ok())));
    const jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
    const { server } = await serve({ auth: { mode: 'jwt', jwksUrl } });

    const good = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setSubject('carol')
      .setExpirationTime('1h')
      .sign(privateKey);
    expect((await client(server.url, { token: good }).session.query()).user).toEqual({
      id: 'carol',
      role: 'user',
    });
    // HS256 "signed" with the public key's text must not pass as the RSA key's signature.
    const confused = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .setSubject('carol')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(JSON.stringify(jwk)));
    expect(await codeOf(client(server.url, { token: confused }).runs.list.query())).toBe(
      'UNAUTHORIZED',
    );
  });
});

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

describe('admin over the wire', () => {
  it('broadcasts to every client live, reports metrics and connections, and keeps non-admins out', async () => {
    const { server } = await serve({ auth: tokenAuth });
    const root = client(server.url, { token: TOKENS.root });
    const users = {
      alice: client(server.url, { token: TOKENS.alice }),
      bob: client(server.url, { token: TOKENS.bob }),
    };
    const heard: Record<string, string[]> = { alice: [], bob: [] };
    for (const [name, trpc] of Object.entries(users)) {
      trpc.notices.subscribe(undefined, { onData: ({ data }) => heard[name]?.push(data.message) });
    }
    await until(() => expect(server.services.notices.listenerCount).toBe(2));

    expect(await codeOf(users.alice.admin.metrics.query())).toBe('FORBIDDEN');
    expect(await codeOf(users.bob.admin.broadcast.mutate({ message: 'hi' }))).toBe('FORBIDDEN');
    const sent = await root.admin.broadcast.mutate({ message: 'Deploy at noon' });
    expect(sent.delivered).toBe(2);
    await until(() =>
      expect(heard).toEqual({ alice: ['Deploy at noon'], bob: ['Deploy at noon'] }),
    );

    const metrics = await root.admin.metrics.query();
    expect(metrics.connections).toBe(3);
    expect(metrics.users).toBe(3);
    expect(metrics.subscriptions).toBe(2);
    expect(metrics.refusals.forbidden).toBe(2);
    const conns = await root.admin.connections.query();
    expect(conns.map((c) => [c.userId, c.ip, c.subscriptions]).sort()).toEqual([
      ['alice', '127.0.0.1', 1],
      ['bob', '127.0.0.1', 1],
      ['root', '127.0.0.1', 0],
    ]);
    const audit = await root.admin.audit.query({ limit: 10 });
    expect(audit.items.map((r) => [r.kind, r.reason, r.userId])).toEqual([
      ['admin_broadcast', null, 'root'],
      ['refused', 'forbidden', 'bob'],
      ['refused', 'forbidden', 'alice'],
    ]);
  });

  it('serves GET /metrics in Prometheus text to an admin Bearer only', async () => {
    const { server } = await serve({ auth: tokenAuth });
    const alice = client(server.url, { token: TOKENS.alice });
    await alice.datasets.list.query();
    await until(() => expect(server.connections.live.size).toBe(1));
    const get = (token?: string) =>
      fetch(`${server.url}/metrics`, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
    const anon = await get();
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toBe('Bearer');
    expect((await get(TOKENS.alice)).status).toBe(403);
    const ok = await get(TOKENS.root);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toContain('text/plain');
    const text = await ok.text();
    expect(text).toContain('# TYPE querylane_connections gauge');
    expect(text).toMatch(/^querylane_connections 1$/m);
    expect(text).toMatch(/^querylane_refusals_total\{kind="unauthorized"\} 1$/m);
    expect(text).toMatch(/^querylane_refusals_total\{kind="forbidden"\} 1$/m);
    expect(text).toMatch(/^querylane_runs\{status="completed"\} 0$/m);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
  });
});

describe('binding without authentication', () => {
  it('refuses a non-loopback host unless insecure is allowed', async () => {
    const dataDir = freshDataDir();
    onCleanup(() => removeDir(dataDir));
    await expect(startTestServer({ host: '0.0.0.0', dataDir })).rejects.toThrow(
      /Refusing to listen on 0\.0\.0\.0 without authentication/,
    );
  });
});
