// Everything between a client and a procedure: credentials for each HTTP request and socket,
// browser origins, connections per user and per address, socket message rates, GET /metrics,
// and an audit entry for every refusal. server.ts wires these in; the procedures never see them.
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type AuthFailure,
  type Connection,
  type Context,
  createContextFactory,
  type Identity,
  type Services,
} from '@querylane/api';
import { TRPCError } from '@trpc/server';
import type { TRPCRequestInfo } from '@trpc/server/http';
import type { Registry } from 'prom-client';
import type { VerifyClientCallbackAsync, WebSocket } from 'ws';
import {
  type AuthConfig,
  type Authenticator,
  bearerToken,
  createAuthenticator,
  isLoopbackHost,
  parseTokens,
} from './auth.ts';
import { type ConnectionRegistry, clientIp } from './connections.ts';
import type { Env } from './env.ts';
import { AddressCounter, CloseCode, MessageRates, OriginPolicy } from './limits.ts';
import { createMetricsRegistry } from './metrics.ts';

export interface SecurityConfig {
  auth: AuthConfig;
  /** Lets `auth: none` listen beyond loopback. */
  allowInsecure: boolean;
  /** Origins besides the server's own; `*` for any. */
  allowedOrigins: string[];
  /** WebSockets one user may hold at once (authentication on). */
  maxConnectionsPerUser: number;
  /** WebSockets one client address may hold at once. */
  maxConnectionsPerIp: number;
  /** `runs.start` per user and minute. */
  runsPerMinute: number;
  /** Frames a socket may send per second on average (bursts of twice that). */
  wsMessagesPerSecond: number;
  /** Newest audit rows kept. */
  auditMaxRows: number;
}

export function securityFromEnv(env: Env): SecurityConfig {
  let auth: AuthConfig;
  if (env.QUERYLANE_AUTH === 'token') {
    auth = { mode: 'token', tokens: parseTokens(env.QUERYLANE_TOKENS ?? '') };
  } else if (env.QUERYLANE_AUTH === 'jwt') {
    auth = {
      mode: 'jwt',
      secret: env.QUERYLANE_JWT_SECRET,
      jwksUrl: env.QUERYLANE_JWKS_URL,
      issuer: env.QUERYLANE_JWT_ISSUER,
      audience: env.QUERYLANE_JWT_AUDIENCE,
    };
  } else {
    auth = { mode: 'none' };
  }
  return {
    auth,
    allowInsecure: env.QUERYLANE_ALLOW_INSECURE,
    allowedOrigins: env.QUERYLANE_ALLOWED_ORIGINS ?? [],
    maxConnectionsPerUser: env.QUERYLANE_MAX_CONNECTIONS_PER_USER,
    maxConnectionsPerIp: env.QUERYLANE_MAX_CONNECTIONS_PER_IP,
    runsPerMinute: env.QUERYLANE_RUNS_PER_MINUTE,
    wsMessagesPerSecond: env.QUERYLANE_WS_MESSAGES_PER_SECOND,
    auditMaxRows: env.QUERYLANE_AUDIT_MAX_ROWS,
  };
}

/** Without authentication the server is everyone's admin, so it stays on loopback unless told. */
export function assertSafeBinding(host: string, security: SecurityConfig): void {
  if (security.auth.mode !== 'none' || security.allowInsecure || isLoopbackHost(host)) return;
  throw new Error(
    `Refusing to listen on ${host} without authentication: anyone who can reach it would be the ` +
      'admin. Set QUERYLANE_AUTH=token or jwt, or QUERYLANE_ALLOW_INSECURE=1 to accept that.',
  );
}

// setTimeout takes at most 2^31 - 1 ms (about 24.8 days); longer waits are taken in steps.
const MAX_TIMER_MS = 2_147_483_647;

export class Gate {
  readonly #security: SecurityConfig;
  readonly #services: Services;
  readonly #connections: ConnectionRegistry;
  readonly #auth: Authenticator;
  readonly #origins: OriginPolicy;
  readonly #addresses: AddressCounter;
  readonly #rates: MessageRates;
  readonly #context: ReturnType<typeof createContextFactory>;
  readonly #log: (message: string, err?: unknown) => void;
  readonly #maxMessageBytes: number;
  readonly metrics: Registry;

  constructor(opts: {
    security: SecurityConfig;
    services: Services;
    connections: ConnectionRegistry;
    maxMessageBytes: number;
    log: (message: string, err?: unknown) => void;
  }) {
    this.#security = opts.security;
    this.#maxMessageBytes = opts.maxMessageBytes;
    this.#services = opts.services;
    this.#connections = opts.connections;
    this.#log = opts.log;
    this.#auth = createAuthenticator(opts.security.auth, opts.log);
    this.#origins = new OriginPolicy(opts.security.allowedOrigins);
    this.#addresses = new AddressCounter(opts.security.maxConnectionsPerIp);
    this.#rates = new MessageRates(opts.security.wsMessagesPerSecond);
    this.#context = createContextFactory(opts.services);
    this.metrics = createMetricsRegistry(opts.services, opts.connections);
  }

  /** The context of one HTTP request, from its `Authorization: Bearer` header. */
  async httpContext(req: IncomingMessage): Promise<Context> {
    const conn = this.#connections.forRequest(req);
    const result = await this.#auth.authenticate(bearerToken(req));
    if (!result.ok) {
      this.#auditRejected(conn, result.reason, 'http');
      return this.#context(conn, { failure: result.reason });
    }
    conn.identity = result.identity;
    return this.#context(conn, result.identity);
  }

  /**
   * The context of a socket, made once from its `connectionParams`. Bad credentials leave the
   * socket open with no user, so every call on it answers UNAUTHORIZED rather than the client
   * reconnecting in a loop; a user over the connection limit has the socket closed.
   */
  async socketContext(
    ws: WebSocket,
    req: IncomingMessage,
    params: TRPCRequestInfo['connectionParams'],
  ): Promise<Context> {
    const conn = this.#connections.forSocket(ws, req);
    const result = await this.#auth.authenticate(params?.token);
    if (!result.ok) {
      this.#auditRejected(conn, result.reason, 'ws');
      return this.#context(conn, { failure: result.reason });
    }
    const { identity } = result;
    const max = this.#security.maxConnectionsPerUser;
    // With authentication off everyone is the one local user, and only the address limit applies.
    if (this.#auth.mode !== 'none' && this.#connections.countUser(identity.userId) >= max) {
      this.#services.audit.refused(
        'connections_per_user',
        { userId: identity.userId, ip: conn.ip },
        { detail: { max } },
      );
      // After tRPC has sent the error below (it closes the socket itself, but without a reason).
      setImmediate(() => ws.close(CloseCode.tooManyConnections, 'Too many connections'));
      throw new TRPCError({
        code: 'TOO_MANY_REQUESTS',
        message: `At most ${max} connections per user; close another tab or client first.`,
      });
    }
    conn.identity = identity;
    if (result.expiresAt !== null) this.#closeWhenExpired(ws, result.expiresAt);
    return this.#context(conn, identity);
  }

  /**
   * Credentials that were sent and refused are an auth failure even on a public procedure (a
   * sign-in attempt asks `session`). None at all is only one when a procedure needs them, which
   * protectedProcedure records; both go through refusedOnce, so a connection makes one entry.
   */
  #auditRejected(conn: Connection, why: AuthFailure, transport: 'http' | 'ws'): void {
    if (why === 'missing') return;
    this.#services.audit.refusedOnce(
      conn,
      'unauthorized',
      { userId: null, connection: conn },
      { target: transport === 'ws' ? 'connect' : 'request', detail: { why } },
    );
  }

  #closeWhenExpired(ws: WebSocket, expiresAt: number): void {
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      const wait = expiresAt - Date.now();
      if (wait <= 0) {
        // The client reconnects by itself and sends its connectionParams again, fresh ones.
        ws.close(CloseCode.tokenExpired, 'Token expired');
        return;
      }
      timer = setTimeout(arm, Math.min(wait, MAX_TIMER_MS));
      timer.unref();
    };
    arm();
    ws.once('close', () => clearTimeout(timer));
  }

  /** Before the upgrade: a refused origin gets 403, an address at its limit 429. */
  readonly verifyUpgrade: VerifyClientCallbackAsync = (info, done) => {
    const ip = clientIp(info.req);
    if (this.#origins.check(info.req) === 'refused') {
      this.#services.audit.refused('origin', { ip }, { detail: { origin: info.origin ?? null } });
      done(false, 403, 'Origin not allowed');
      return;
    }
    if (!this.#addresses.admit(ip, info.req)) {
      const max = this.#security.maxConnectionsPerIp;
      this.#services.audit.refused('connections_per_ip', { ip }, { detail: { max } });
      done(false, 429, 'Too many connections from this address');
      return;
    }
    done(true);
  };

  /** Every accepted socket is registered at once. */
  readonly onSocket = (ws: WebSocket, req: IncomingMessage): void => {
    this.#connections.forSocket(ws, req);
  };

  /** Each frame a socket sends, before it is read: its rate is bounded. */
  readonly admitFrame = (ws: WebSocket): boolean => {
    return this.#rates.admit(ws, () => {
      const perSecond = this.#rates.perSecond;
      this.#services.audit.refused('message_rate', this.#actor(ws), { detail: { perSecond } });
    });
  };

  /** An error on a socket: one over the frame size limit leaves an audit entry. */
  readonly socketError = (ws: WebSocket, err: Error & { code?: string }): void => {
    // ws closes the socket with 1009 itself; this only leaves a trace.
    if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
      this.#services.audit.refused('message_size', this.#actor(ws), {
        detail: { maxBytes: this.#maxMessageBytes },
      });
    }
  };

  #actor(ws: WebSocket): { userId: string | null; ip: string } {
    const conn = this.#connections.get(ws);
    return { userId: conn?.identity?.userId ?? null, ip: conn?.ip ?? 'unknown' };
  }

  /** Audits what tRPC refused on its own: bodies over the size limit. */
  onHttpError(error: TRPCError, req: IncomingMessage, ctx: Context | undefined): void {
    if (error.code === 'PAYLOAD_TOO_LARGE') {
      this.#services.audit.refused(
        'body_size',
        { userId: ctx?.userId ?? null, ip: clientIp(req) },
        { detail: { maxBytes: this.#maxMessageBytes } },
      );
    }
  }

  /**
   * Answers what is the gate's own (GET /metrics, CORS preflights, refused origins) and adds CORS
   * headers for allowed origins. Returns true when it answered.
   */
  handleHttp(req: IncomingMessage, res: ServerResponse): boolean {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      void this.#serveMetrics(req, res).catch((err: unknown) => {
        this.#log('GET /metrics failed', err);
        if (!res.headersSent) res.writeHead(500).end();
      });
      return true;
    }
    if (path !== '/trpc' && !path?.startsWith('/trpc/')) return false;
    const verdict = this.#origins.check(req);
    if (verdict === 'refused') {
      this.#services.audit.refused(
        'origin',
        { ip: clientIp(req) },
        { detail: { origin: req.headers.origin ?? null } },
      );
      res
        .writeHead(403, { 'content-type': 'text/plain; charset=utf-8' })
        .end('Origin not allowed\n');
      return true;
    }
    if (verdict === 'cross') {
      res.setHeader('access-control-allow-origin', req.headers.origin ?? '');
      res.setHeader('vary', 'Origin');
      if (req.method === 'OPTIONS') {
        res
          .writeHead(204, {
            'access-control-allow-methods': 'GET, POST, OPTIONS',
            'access-control-allow-headers':
              'authorization, content-type, trpc-accept, x-trpc-source, trpc-batch-mode',
            'access-control-max-age': '600',
          })
          .end();
        return true;
      }
    }
    return false;
  }

  async #serveMetrics(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const ip = clientIp(req);
    const result = await this.#auth.authenticate(bearerToken(req));
    if (!result.ok) {
      this.#services.audit.refused(
        'unauthorized',
        { ip },
        { target: 'GET /metrics', detail: { why: result.reason } },
      );
      res.writeHead(401, { 'www-authenticate': 'Bearer' }).end();
      return;
    }
    if (!isAdmin(result.identity)) {
      this.#services.audit.refused(
        'forbidden',
        { userId: result.identity.userId, ip },
        { target: 'GET /metrics' },
      );
      res.writeHead(403).end();
      return;
    }
    const body = await this.metrics.metrics();
    res.writeHead(200, { 'content-type': this.metrics.contentType, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  }
}

function isAdmin(identity: Identity): boolean {
  return identity.role === 'admin';
}
