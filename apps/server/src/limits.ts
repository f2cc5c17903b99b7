// Transport-level limits: which browser origins may call, how many sockets an address may hold,
// how fast a socket may send, and the Retry-After header of a rate-limited HTTP call.
import type { IncomingMessage } from 'node:http';
import { RateLimitedError, TokenBucket } from '@querylane/api';
import type { TRPCError } from '@trpc/server';
import type { ResponseMeta } from '@trpc/server/http';
import type { WebSocket } from 'ws';

/** The server's own origin is always allowed; so are requests without Origin (not browsers). */
export class OriginPolicy {
  readonly #allowed: Set<string>;
  readonly #any: boolean;

  constructor(allowed: readonly string[] = []) {
    this.#any = allowed.includes('*');
    this.#allowed = new Set(
      allowed
        .filter((o) => o !== '*')
        .map((o) => {
          try {
            return new URL(o).origin;
          } catch {
            throw new Error(`QUERYLANE_ALLOWED_ORIGINS: ${JSON.stringify(o)} is not an origin`);
          }
        }),
    );
  }

  /** `ok` when allowed; `cross` when allowed from another origin (the response needs CORS). */
  check(req: IncomingMessage): 'ok' | 'cross' | 'refused' {
    const origin = req.headers.origin;
    if (origin === undefined) return 'ok';
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return 'refused'; // includes the literal "null" of sandboxed frames and file:// pages
    }
    if (url.host === req.headers.host) return 'ok';
    return this.#any || this.#allowed.has(url.origin) ? 'cross' : 'refused';
  }
}

/** Open sockets per client address, counted from the upgrade until the TCP socket closes. */
export class AddressCounter {
  readonly #counts = new Map<string, number>();

  constructor(readonly max: number) {}

  /** Counts the request's socket in, or returns false when the address is at the limit. */
  admit(ip: string, req: IncomingMessage): boolean {
    const n = this.#counts.get(ip) ?? 0;
    if (n >= this.max) return false;
    this.#counts.set(ip, n + 1);
    req.socket.on('close', () => {
      const left = (this.#counts.get(ip) ?? 1) - 1;
      if (left > 0) this.#counts.set(ip, left);
      else this.#counts.delete(ip);
    });
    return true;
  }

  count(ip: string): number {
    return this.#counts.get(ip) ?? 0;
  }
}

/** WebSocket close codes of our own (4000–4999 are the application's). */
export const CloseCode = {
  policy: 1008,
  tokenExpired: 4001,
  tooManyConnections: 4029,
} as const;

/**
 * Closes a socket that sends more than `perSecond` frames a second on average, bursts up to twice
 * that allowed. `onExceeded` runs once, before the close.
 */
export function limitMessageRate(ws: WebSocket, perSecond: number, onExceeded: () => void): void {
  const bucket = new TokenBucket(perSecond * 2, perSecond / 1000);
  let exceeded = false;
  ws.on('message', () => {
    if (exceeded || bucket.take().ok) return;
    exceeded = true;
    onExceeded();
    ws.close(CloseCode.policy, 'Message rate exceeded');
  });
}

/** `Retry-After` (whole seconds) on an HTTP answer that was rate-limited. */
export function retryAfterMeta(opts: { errors: TRPCError[] }): ResponseMeta {
  const waits = opts.errors.flatMap((e) =>
    e.cause instanceof RateLimitedError ? [e.cause.retryAfterMs] : [],
  );
  if (waits.length === 0) return {};
  return { headers: new Headers({ 'retry-after': String(Math.ceil(Math.max(...waits) / 1000)) }) };
}
