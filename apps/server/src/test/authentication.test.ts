// Authentication against the real server on port 0, with the real @trpc/client (token in
// connectionParams and Bearer): tokens, isolation between users, JWTs (HS256 and a JWKS).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { onCleanup, until } from './scope.ts';
import {
  client,
  codeOf,
  refusals,
  serve,
  subscriptionError,
  TOKENS,
  tokenAuth,
} from './security-helpers.ts';

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
      expect(await anon.session.query()).toEqual({ authMode: 'token', user: null });
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
