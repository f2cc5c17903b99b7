// Token lists, Bearer headers, the token authenticator and the loopback check, without a server.
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { bearerToken, createAuthenticator, isLoopbackHost, parseTokens } from './auth.ts';
import { assertSafeBinding, securityFromEnv } from './config.ts';
import { readEnv } from './env.ts';

const defaultSecurity = securityFromEnv(readEnv({}));

describe('parseTokens', () => {
  it('reads token:userId[:role] entries', () => {
    expect(parseTokens('tokenA:alice, tokenB:bob,tokenC:root:admin')).toEqual([
      { token: 'tokenA', userId: 'alice', role: 'user' },
      { token: 'tokenB', userId: 'bob', role: 'user' },
      { token: 'tokenC', userId: 'root', role: 'admin' },
    ]);
  });

  it('refuses malformed lists without repeating any token', () => {
    const bad = [
      '',
      'secret1',
      ':alice',
      'secret2:al ice',
      'secret3:root:owner',
      'x:a:admin:y',
      'dup:a,dup:b',
    ];
    for (const spec of bad) {
      let message = '';
      try {
        parseTokens(spec);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message, spec).not.toBe('');
      for (const secret of ['secret1', 'secret2', 'secret3', 'dup']) {
        expect(message).not.toContain(secret);
      }
    }
  });
});

describe('token authenticator', () => {
  it('maps each token to its user and tells missing from invalid', async () => {
    const auth = createAuthenticator({
      mode: 'token',
      tokens: parseTokens('t-alice:alice,t-root:root:admin'),
    });
    expect(await auth.authenticate('t-alice')).toEqual({
      ok: true,
      identity: { userId: 'alice', role: 'user' },
      expiresAt: null,
    });
    expect(await auth.authenticate('t-root')).toMatchObject({ identity: { role: 'admin' } });
    expect(await auth.authenticate('t-alicf')).toEqual({ ok: false, reason: 'invalid' });
    expect(await auth.authenticate('t-alice ')).toEqual({ ok: false, reason: 'invalid' });
    expect(await auth.authenticate('')).toEqual({ ok: false, reason: 'missing' });
    expect(await auth.authenticate(undefined)).toEqual({ ok: false, reason: 'missing' });
  });

  it('makes everyone the local admin without authentication', async () => {
    expect(await createAuthenticator({ mode: 'none' }).authenticate(null)).toEqual({
      ok: true,
      identity: { userId: 'local', role: 'admin' },
      expiresAt: null,
    });
  });
});

describe('bearerToken', () => {
  const req = (authorization?: string) =>
    ({ headers: authorization === undefined ? {} : { authorization } }) as IncomingMessage;
  it('takes the token of a Bearer header only', () => {
    expect(bearerToken(req('Bearer abc.def'))).toBe('abc.def');
    expect(bearerToken(req('bearer   abc'))).toBe('abc');
    expect(bearerToken(req('Basic YWxpY2U6cHc='))).toBeNull();
    expect(bearerToken(req('Bearer a b'))).toBeNull();
    expect(bearerToken(req())).toBeNull();
  });
});

describe('binding', () => {
  it('knows loopback hosts', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) {
      expect(isLoopbackHost(h), h).toBe(true);
    }
    for (const h of ['0.0.0.0', '::', '192.168.1.5', 'example.com', '10.0.0.1']) {
      expect(isLoopbackHost(h), h).toBe(false);
    }
  });

  it('refuses to listen beyond loopback without authentication unless allowed', () => {
    expect(() => assertSafeBinding('0.0.0.0', defaultSecurity)).toThrow(/QUERYLANE_ALLOW_INSECURE/);
    expect(() => assertSafeBinding('::', defaultSecurity)).toThrow();
    expect(() => assertSafeBinding('127.0.0.1', defaultSecurity)).not.toThrow();
    expect(() =>
      assertSafeBinding('0.0.0.0', { ...defaultSecurity, allowInsecure: true }),
    ).not.toThrow();
    const token = {
      ...defaultSecurity,
      auth: { mode: 'token' as const, tokens: parseTokens('t:a') },
    };
    expect(() => assertSafeBinding('0.0.0.0', token)).not.toThrow();
  });
});
