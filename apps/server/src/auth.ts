// Who is calling: a token from `Authorization: Bearer` (HTTP) or `connectionParams.token`
// (WebSocket) checked against a fixed token list or verified as a JWT. Tokens are never logged.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { type AuthFailure, type Identity, LOCAL_IDENTITY, type Role } from '@querylane/api';
import { USER_ID_PATTERN } from '@querylane/contracts';
import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify } from 'jose';

export type AuthConfig =
  | { mode: 'none' }
  | { mode: 'token'; tokens: TokenEntry[] }
  | {
      mode: 'jwt';
      /** HS256 shared secret; or else `jwksUrl`. */
      secret?: string | undefined;
      jwksUrl?: string | undefined;
      issuer?: string | undefined;
      audience?: string | undefined;
    };

export interface TokenEntry {
  token: string;
  userId: string;
  role: Role;
}

export type AuthResult =
  | {
      ok: true;
      identity: Identity /** Epoch ms after which the identity lapses. */;
      expiresAt: number | null;
    }
  | { ok: false; reason: AuthFailure };

export interface Authenticator {
  readonly mode: AuthConfig['mode'];
  authenticate(token: string | null | undefined): Promise<AuthResult>;
  /** Tokens that could not be checked because the keys could not be had (a JWKS fetch failed). */
  readonly keyFailures: number;
}

/** Clocks disagree a little: `exp`, `nbf` and `iat` are judged with this much slack. */
export const CLOCK_SKEW_S = 30;
/** A key server that is down fails every request; its log line is repeated at most this often. */
const KEY_FAILURE_LOG_MS = 30_000;

/**
 * `tokenA:alice,tokenB:bob,tokenC:root:admin`. Errors name the entry by position only, so a
 * token never reaches a log through them.
 */
export function parseTokens(spec: string): TokenEntry[] {
  const entries = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((item, i) => {
      // The token may not contain ':', the user id may not either (it would read as a role).
      const [token = '', userId = '', role = 'user', ...rest] = item.split(':');
      const where = `QUERYLANE_TOKENS entry ${i + 1}`;
      if (!token) throw new Error(`${where}: the token is empty`);
      if (rest.length > 0 || !USER_ID_PATTERN.test(userId)) {
        throw new Error(
          `${where}: expected token:userId[:role] with a user id of letters and digits`,
        );
      }
      if (role !== 'user' && role !== 'admin') {
        throw new Error(`${where}: the role is "user" or "admin"`);
      }
      return { token, userId, role: role as Role };
    });
  if (entries.length === 0) throw new Error('QUERYLANE_TOKENS lists no token');
  if (new Set(entries.map((e) => e.token)).size !== entries.length) {
    throw new Error('QUERYLANE_TOKENS lists one token twice');
  }
  return entries;
}

/** The token of `Authorization: Bearer <token>`, or null. */
export function bearerToken(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();

function tokenAuthenticator(tokens: TokenEntry[]): Authenticator {
  const table = tokens.map((t) => ({
    digest: sha256(t.token),
    identity: { userId: t.userId, role: t.role },
  }));
  return {
    mode: 'token',
    keyFailures: 0,
    async authenticate(token) {
      if (!token) return { ok: false, reason: 'missing' };
      // Equal-length digests compared in constant time, every entry every time: neither the
      // position of a match nor a shared prefix changes how long this takes.
      const digest = sha256(token);
      let found: Identity | null = null;
      for (const entry of table) {
        if (timingSafeEqual(digest, entry.digest) && !found) found = entry.identity;
      }
      return found
        ? { ok: true, identity: found, expiresAt: null }
        : { ok: false, reason: 'invalid' };
    },
  };
}

const ASYMMETRIC = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];

/** What a token got wrong, as opposed to the server failing to get the keys to check it. */
const tokenFaults = [
  errors.JWTClaimValidationFailed,
  errors.JWSSignatureVerificationFailed,
  errors.JWSInvalid,
  errors.JWTInvalid,
  errors.JOSEAlgNotAllowed,
  errors.JWKSNoMatchingKey,
  errors.JWKSMultipleMatchingKeys,
  errors.JOSENotSupported,
];

function jwtAuthenticator(
  config: Extract<AuthConfig, { mode: 'jwt' }>,
  log: (message: string, err?: unknown) => void,
): Authenticator {
  let key: Uint8Array | JWTVerifyGetKey;
  let algorithms: string[];
  if (config.secret) {
    key = new TextEncoder().encode(config.secret);
    algorithms = ['HS256'];
  } else if (config.jwksUrl) {
    key = createRemoteJWKSet(new URL(config.jwksUrl));
    algorithms = ASYMMETRIC;
  } else {
    throw new Error('QUERYLANE_AUTH=jwt needs QUERYLANE_JWT_SECRET or QUERYLANE_JWKS_URL');
  }
  let keyFailures = 0;
  let loggedAt = Number.NEGATIVE_INFINITY;
  const keysUnavailable = (err: unknown): AuthResult => {
    keyFailures += 1;
    if (Date.now() - loggedAt >= KEY_FAILURE_LOG_MS) {
      loggedAt = Date.now();
      log(
        `JWT keys could not be fetched from ${config.jwksUrl ?? 'the key source'}; ` +
          `tokens cannot be checked (${keyFailures} so far)`,
        err,
      );
    }
    return { ok: false, reason: 'unavailable' };
  };
  return {
    mode: 'jwt',
    get keyFailures() {
      return keyFailures;
    },
    async authenticate(token) {
      if (!token) return { ok: false, reason: 'missing' };
      try {
        // An explicit algorithm list: `alg: none` and any algorithm the key is not for are refused.
        const { payload } = await jwtVerify(token, key as Uint8Array, {
          algorithms,
          requiredClaims: ['sub', 'exp'],
          clockTolerance: CLOCK_SKEW_S,
          ...(config.issuer ? { issuer: config.issuer } : {}),
          ...(config.audience ? { audience: config.audience } : {}),
        });
        // `sub` is a string (RFC 7519); a number would become a user id nobody chose ('12345.0').
        const sub = payload.sub as unknown;
        if (typeof sub !== 'string' || !USER_ID_PATTERN.test(sub))
          return { ok: false, reason: 'invalid' };
        // A token issued in the future was minted by a wrong clock or to outlive its exp checks.
        if (payload.iat !== undefined && payload.iat > Date.now() / 1000 + CLOCK_SKEW_S) {
          return { ok: false, reason: 'invalid' };
        }
        const roles = Array.isArray(payload.roles) ? payload.roles : [payload.role];
        const role: Role = roles.includes('admin') ? 'admin' : 'user';
        return { ok: true, identity: { userId: sub, role }, expiresAt: (payload.exp ?? 0) * 1000 };
      } catch (err) {
        if (err instanceof errors.JWTExpired) return { ok: false, reason: 'expired' };
        if (tokenFaults.some((fault) => err instanceof fault)) {
          return { ok: false, reason: 'invalid' };
        }
        return keysUnavailable(err);
      }
    },
  };
}

export function createAuthenticator(
  config: AuthConfig,
  log: (message: string, err?: unknown) => void = () => {},
): Authenticator {
  switch (config.mode) {
    case 'none':
      return {
        mode: 'none',
        keyFailures: 0,
        authenticate: async () => ({ ok: true, identity: LOCAL_IDENTITY, expiresAt: null }),
      };
    case 'token':
      return tokenAuthenticator(config.tokens);
    case 'jwt':
      return jwtAuthenticator(config, log);
  }
}

/** Hosts that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    h === 'localhost' ||
    h === '::1' ||
    /^127\.\d+\.\d+\.\d+$/.test(h) ||
    /^::ffff:127\.\d+\.\d+\.\d+$/.test(h)
  );
}
