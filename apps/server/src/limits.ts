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
  /** The address each counted socket came from, for when it closes. */
  readonly #ips = new WeakMap<object, string>();
  /** One close listener for every socket (`this` is the socket), not a closure each. */
  readonly #onClose: (this: object) => void;

  constructor(readonly max: number) {
    const release = (socket: object) => this.#release(socket);
    this.#onClose = function onClose(this: object) {
      release(this);
    };
  }

  /** Counts the request's socket in, or returns false when the address is at the limit. */
  admit(ip: string, req: IncomingMessage): boolean {
    const n = this.#counts.get(ip) ?? 0;
    if (n >= this.max) return false;
    this.#counts.set(ip, n + 1);
    this.#ips.set(req.socket, ip);
    req.socket.on('close', this.#onClose);
    return true;
  }

  #release(socket: object): void {
    const ip = this.#ips.get(socket);
    if (ip === undefined) return;
    this.#ips.delete(socket);
    const left = (this.#counts.get(ip) ?? 1) - 1;
    if (left > 0) this.#counts.set(ip, left);
    else this.#counts.delete(ip);
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
 * Frames per socket: more than `perSecond` a second on average (bursts up to twice that) and
 * the socket is closed. One bucket per socket, kept beside it rather than in a listener of its
 * own, so a socket costs a few bytes here.
 */
export class MessageRates {
  readonly #buckets = new WeakMap<WebSocket, TokenBucket | null>();

  constructor(readonly perSecond: number) {}

  /** Counts one frame in; false once the socket is over its rate (it is then being closed). */
  admit(ws: WebSocket, onExceeded: () => void): boolean {
    let bucket = this.#buckets.get(ws);
    if (bucket === null) return false;
    if (bucket === undefined) {
      bucket = new TokenBucket(this.perSecond * 2, this.perSecond / 1000);
      this.#buckets.set(ws, bucket);
    }
    if (bucket.take().ok) return true;
    this.#buckets.set(ws, null);
    onExceeded();
    ws.close(CloseCode.policy, 'Message rate exceeded');
    return false;
  }
}

/** `Retry-After` (whole seconds) on an HTTP answer that was rate-limited. */
export function retryAfterMeta(opts: { errors: TRPCError[] }): ResponseMeta {
  const waits = opts.errors.flatMap((e) =>
    e.cause instanceof RateLimitedError ? [e.cause.retryAfterMs] : [],
  );
  if (waits.length === 0) return {};
  return { headers: new Headers({ 'retry-after': String(Math.ceil(Math.max(...waits) / 1000)) }) };
}
