// What one socket may send: frames within the size limit (ws closes a bigger one with 1009; this
// leaves the audit entry), at most `maxCallsPerBatch` calls in one frame, and calls at a bounded
// rate. Calls are counted, not frames, since one frame can carry hundreds; a frame past either
// limit never reaches tRPC, and the socket is closed with 1008.
import type { Actor, Connection, Services } from '@querylane/api';
import { TokenBucket } from '@querylane/api';
import type { RefusalKind } from '@querylane/contracts';
import type { WebSocket } from 'ws';
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

export function guardSocket(
  ws: WebSocket,
  conn: Connection,
  services: Pick<Services, 'audit'>,
  limits: SocketLimits,
): void {
  const actor = (): Actor => ({ userId: conn.identity?.userId ?? null, connection: conn });
  const bucket = new TokenBucket(limits.perSecond * 2, limits.perSecond / 1000);
  let refused = false;
  const refuse = (kind: RefusalKind, detail: Record<string, number>, reason: string) => {
    refused = true;
    services.audit.refused(kind, actor(), { detail });
    ws.close(CloseCode.policy, reason);
  };
  const admit = (data: unknown, isBinary: boolean): boolean => {
    if (refused) return false;
    const calls = callsIn(data, isBinary);
    if (calls > limits.maxCallsPerBatch) {
      refuse(
        'calls_per_batch',
        { calls, max: limits.maxCallsPerBatch },
        'Too many calls in one message',
      );
      return false;
    }
    if (!bucket.take(calls).ok) {
      refuse('message_rate', { perSecond: limits.perSecond }, 'Message rate exceeded');
      return false;
    }
    return true;
  };
  // This runs before tRPC's own listener is attached, so wrapping emit is the one place a frame
  // can be held back from it (as connections.ts wraps send for the way out).
  const emit = ws.emit.bind(ws) as (event: string | symbol, ...args: unknown[]) => boolean;
  ws.emit = ((event: string | symbol, ...args: unknown[]) => {
    if (event === 'message' && !admit(args[0], args[1] === true)) return false;
    return emit(event, ...args);
  }) as WebSocket['emit'];
  ws.on('error', (err: Error & { code?: string }) => {
    // ws closes the socket with 1009 itself; this only leaves a trace.
    if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
      services.audit.refused('message_size', actor(), {
        detail: { maxBytes: limits.maxMessageBytes },
      });
    }
  });
}
