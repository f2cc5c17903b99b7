// Transport-level limits: how many sockets an address may hold, the close codes of our own, and
// the Retry-After header of a rate-limited HTTP call.
import type { IncomingMessage } from 'node:http';
import { RateLimitedError } from '@querylane/api';
import type { TRPCError } from '@trpc/server';
import type { ResponseMeta } from '@trpc/server/http';

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

/** `Retry-After` (whole seconds) on an HTTP answer that was rate-limited. */
export function retryAfterMeta(opts: { errors: TRPCError[] }): ResponseMeta {
  const waits = opts.errors.flatMap((e) =>
    e.cause instanceof RateLimitedError ? [e.cause.retryAfterMs] : [],
  );
  if (waits.length === 0) return {};
  return { headers: new Headers({ 'retry-after': String(Math.ceil(Math.max(...waits) / 1000)) }) };
}
