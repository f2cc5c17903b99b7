// Authentication with JWTs against the real server on port 0: HS256, RS256 from a JWKS URL,
// what is refused (alg none, forged, expired, a numeric sub, an iat from the future) and what a
// key server that cannot be reached looks like (logged, metered, said to the caller).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { onCleanup, until } from './scope.ts';
import { client, codeOf, refusals, serve } from './security-helpers.ts';

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
  it('refuses a numeric sub and an iat from the future; a little clock skew passes', async () => {
    const { server } = await serve({ auth: { mode: 'jwt', secret } });
    const now = Math.floor(Date.now() / 1000);
    const raw = (payload: Record<string, unknown>) =>
      new SignJWT(payload).setProtectedHeader({ alg: 'HS256' }).sign(key);
    const numericSub = await raw({ sub: 12345, exp: now + 3600 });
    const floatSub = await raw({ sub: 12345.0, exp: now + 3600, role: 'admin' });
    const future = await raw({ sub: 'alice', exp: now + 3600, iat: now + 600 });
    const skewed = await raw({ sub: 'alice', exp: now + 3600, iat: now + 10 });
    for (const token of [numericSub, floatSub, future]) {
      const trpc = client(server.url, { token });
      expect((await trpc.session.query()).user).toBeNull();
      expect(await codeOf(trpc.runs.list.query())).toBe('UNAUTHORIZED');
    }
    expect((await client(server.url, { token: skewed }).session.query()).user).toEqual({
      id: 'alice',
      role: 'user',
    });
    // Nobody became user "12345" or "12345.0".
    for (const userId of ['12345', '12345.0']) {
      expect((await server.services.conversations.page({ userId, limit: 10 })).items).toEqual([]);
    }
    expect((await refusals(server, 'unauthorized')).length).toBeGreaterThanOrEqual(3);
  });

  it('a JWKS that cannot be fetched is logged and metered, and says so to the caller', async () => {
    const { publicKey: _, privateKey } = await generateKeyPair('RS256');
    // A port nothing listens on: every fetch of the key set fails.
    const probe = createServer();
    await new Promise<void>((ok) => probe.listen(0, '127.0.0.1', ok));
    const deadPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((ok) => probe.close(() => ok()));
    const { server, logged } = await serve({
      auth: { mode: 'jwt', jwksUrl: `http://127.0.0.1:${deadPort}/jwks.json` },
    });
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setSubject('carol')
      .setExpirationTime('1h')
      .sign(privateKey);
    const trpc = client(server.url, { token });
    const err = await trpc.runs.list.query().catch((e: unknown) => e);
    expect((err as { data?: { code?: string } }).data?.code).toBe('UNAUTHORIZED');
    expect((err as Error).message).toMatch(/could not be checked just now/);
    expect(await codeOf(trpc.conversations.list.query())).toBe('UNAUTHORIZED');
    expect(logged.filter((line) => line.includes('JWT keys could not be fetched'))).toHaveLength(1);
    // Two HTTP requests, and the client's socket presenting the token once when it connected.
    await until(async () =>
      expect(
        await server.metrics.getSingleMetricAsString('querylane_auth_key_failures_total'),
      ).toMatch(/^querylane_auth_key_failures_total\{node="[^"]+"\} 3$/m),
    );
    expect((await refusals(server, 'unauthorized')).map((r) => r.detail)).toContainEqual({
      why: 'unavailable',
    });
  });
});
