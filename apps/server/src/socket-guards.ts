// What one socket may send: frames within the size limit (ws closes a bigger one with 1009; this
// leaves the audit entry), at most `maxCallsPerBatch` calls in one frame, and calls at a bounded
// rate. Calls are counted, not frames, since one frame can carry hundreds; a frame past either
// limit never reaches tRPC, and the socket is closed with 1008. The WebSocket handler calls these
// hooks with the socket: one bucket per socket kept beside it, no listener or closure of its own.
import type { Actor, Services } from '@querylane/api';
import { TokenBucket } from '@querylane/api';
import type { RefusalKind } from '@querylane/contracts';
import type { WebSocket } from 'ws';
import type { ConnectionRegistry } from './connections.ts';
import { CloseCode } from './limits.ts';

export interface SocketLimits {
  /** Calls per second on average; bursts of twice that. */
  perSecond: number;
  maxCallsPerBatch: number;
  maxMessageBytes: number;
}

const OPEN_BRACKET = 0x5b;

/** How many calls a frame carries: a JSON array is a batch; anything else counts as one. */
export function callsIn(data: unknown, isBinary: boolean): number {
  if (isBinary || !Buffer.isBuffer(data)) return 1;
  let i = 0;
  while (
    i < data.length &&
    (data[i] === 0x20 || data[i] === 0x0a || data[i] === 0x0d || data[i] === 0x09)
  )
    i++;
  if (data[i] !== OPEN_BRACKET) return 1;
  try {
    const parsed: unknown = JSON.parse(data.toString('utf8'));
    return Array.isArray(parsed) ? Math.max(1, parsed.length) : 1;
  } catch {
    return 1; // tRPC answers the parse error itself
  }
}

export class SocketGuards {
  /** Each socket's call bucket, made at its first frame; null once it was refused. */
  readonly #buckets = new WeakMap<WebSocket, TokenBucket | null>();

  constructor(
    private readonly connections: ConnectionRegistry,
    private readonly services: Pick<Services, 'audit'>,
    readonly limits: SocketLimits,
  ) {}

  /** Every frame before it is read: false keeps it from tRPC (the socket is being closed). */
  readonly admit = (ws: WebSocket, data: unknown, isBinary: boolean): boolean => {
    const { limits } = this;
    let bucket = this.#buckets.get(ws);
    if (bucket === null) return false;
    const calls = callsIn(data, isBinary);
    if (calls > limits.maxCallsPerBatch) {
      this.#refuse(
        ws,
        'calls_per_batch',
        { calls, max: limits.maxCallsPerBatch },
        'Too many calls in one message',
      );
      return false;
    }
    if (bucket === undefined) {
      bucket = new TokenBucket(limits.perSecond * 2, limits.perSecond / 1000);
      this.#buckets.set(ws, bucket);
    }
    if (!bucket.take(calls).ok) {
      this.#refuse(ws, 'message_rate', { perSecond: limits.perSecond }, 'Message rate exceeded');
      return false;
    }
    return true;
  };

  /** An error on a socket: one over the frame size limit leaves an audit entry. */
  readonly error = (ws: WebSocket, err: Error & { code?: string }): void => {
    // ws closes the socket with 1009 itself; this only leaves a trace.
    if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
      this.services.audit.refused('message_size', this.#actor(ws), {
        detail: { maxBytes: this.limits.maxMessageBytes },
      });
    }
  };

  #refuse(ws: WebSocket, kind: RefusalKind, detail: Record<string, number>, reason: string) {
    this.#buckets.set(ws, null);
    this.services.audit.refused(kind, this.#actor(ws), { detail });
    ws.close(CloseCode.policy, reason);
  }

  #actor(ws: WebSocket): Actor {
    const conn = this.connections.get(ws);
    return conn
      ? { userId: conn.identity?.userId ?? null, connection: conn }
      : { userId: null, connection: null };
  }
}
