// Who is behind each call: the Bearer token of an HTTP request, or the connectionParams of a
// socket, made into tRPC's context. Refused credentials are audited (once per connection), a user
// past the per-user socket limit is turned away, and so is an HTTP batch of too many calls.
import type { IncomingMessage } from 'node:http';
import {
  type AuthFailure,
  type Connection,
  type Context,
  createContextFactory,
  type Services,
} from '@querylane/api';
import { TRPCError } from '@trpc/server';
import type { TRPCRequestInfo } from '@trpc/server/http';
import type { WebSocket } from 'ws';
import { type Authenticator, bearerToken } from './auth.ts';
import type { ConnectionRegistry } from './connections.ts';
import { closeWhenExpired } from './expiry.ts';
import { CloseCode } from './limits.ts';

export interface CallersOptions {
  auth: Authenticator;
  services: Services;
  connections: ConnectionRegistry;
  maxConnectionsPerUser: number;
  maxCallsPerBatch: number;
}

export class Callers {
  readonly #opts: CallersOptions;
  readonly #context: ReturnType<typeof createContextFactory>;

  constructor(opts: CallersOptions) {
    this.#opts = opts;
    this.#context = createContextFactory(opts.services);
  }

  /**
   * The context of one HTTP request, from its `Authorization: Bearer` header; `info` is tRPC's
   * (absent for the server's own routes, which are one call each).
   */
  async http(req: IncomingMessage, info?: Pick<TRPCRequestInfo, 'calls'>): Promise<Context> {
    const { services, connections, maxCallsPerBatch } = this.#opts;
    const conn = connections.forRequest(req);
    // Counted before anything else is done for the request: each call is work (and maybe a row).
    if (info && info.calls.length > maxCallsPerBatch) {
      services.audit.refused(
        'calls_per_batch',
        { ip: conn.ip },
        { target: 'request', detail: { calls: info.calls.length, max: maxCallsPerBatch } },
      );
      throw new TRPCError({
        code: 'BAD_REQUEST',
        message: `At most ${maxCallsPerBatch} calls in one batch; send them in smaller batches.`,
      });
    }
    const result = await this.#opts.auth.authenticate(bearerToken(req));
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
  async socket(
    ws: WebSocket,
    req: IncomingMessage,
    params: TRPCRequestInfo['connectionParams'],
  ): Promise<Context> {
    const { services, connections, auth } = this.#opts;
    const conn = connections.forSocket(ws, req);
    const result = await auth.authenticate(params?.token);
    if (!result.ok) {
      this.#auditRejected(conn, result.reason, 'ws');
      services.activity.opened(conn);
      return this.#context(conn, { failure: result.reason });
    }
    const { identity } = result;
    const max = this.#opts.maxConnectionsPerUser;
    // With authentication off everyone is the one local user, and only the address limit applies.
    if (auth.mode !== 'none' && connections.countUser(identity.userId) >= max) {
      services.audit.refused(
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
    services.activity.opened(conn);
    if (result.expiresAt !== null) closeWhenExpired(ws, result.expiresAt);
    return this.#context(conn, identity);
  }

  /**
   * Credentials that were sent and refused are an auth failure even on a public procedure (a
   * sign-in attempt asks `session`). None at all is only one when a procedure needs them, which
   * protectedProcedure records; both go through refusedOnce, so a connection makes one entry.
   */
  #auditRejected(conn: Connection, why: AuthFailure, transport: 'http' | 'ws'): void {
    if (why === 'missing') return;
    this.#opts.services.audit.refusedOnce(
      conn,
      'unauthorized',
      { userId: null, connection: conn },
      { target: transport === 'ws' ? 'connect' : 'request', detail: { why } },
    );
  }
}
