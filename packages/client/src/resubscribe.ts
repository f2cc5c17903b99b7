// A link that starts a subscription again when the network, not the server, ended it. tRPC's
// WebSocket client resends its subscriptions after a reconnect, but one whose socket died between
// opening and its first send fails with "Active connection is not open" instead. This link
// resubscribes it after its last tracked event, with backoff, so callers only ever see the
// server's own errors.
import type { TRPCClientError, TRPCLink } from '@trpc/client';
import type { AnyTRPCRouter } from '@trpc/server';
import { observable, type Unsubscribable } from '@trpc/server/observable';

/** An error the server sent carries its shape; anything else happened on the way. */
export function isTransportError(err: TRPCClientError<AnyTRPCRouter>): boolean {
  return err.shape === undefined && err.data === undefined;
}

export interface ResubscribeOptions {
  /** Wait before the n-th resubscription in a row (0-based); an event received resets n. */
  delayMs: (attemptIndex: number) => number;
  /** A closed client's subscriptions end; they are not started again. */
  isClosed: () => boolean;
}

/** Our subscriptions take `lastEventId` in their input, as tRPC's tracked events expect. */
function withLastEventId(input: unknown, lastEventId: string): unknown {
  return typeof input === 'object' && input !== null ? { ...input, lastEventId } : input;
}

export function resubscribeLink<TRouter extends AnyTRPCRouter>(
  opts: ResubscribeOptions,
): TRPCLink<TRouter> {
  return () =>
    ({ op, next }) => {
      if (op.type !== 'subscription') return next(op);
      return observable((observer) => {
        let lastEventId: string | undefined;
        let failures = 0;
        let stopped = false;
        let current: Unsubscribable | undefined;
        let timer: ReturnType<typeof setTimeout> | undefined;

        const attempt = () => {
          const input =
            lastEventId === undefined ? op.input : withLastEventId(op.input, lastEventId);
          current = next({ ...op, input }).subscribe({
            next(envelope) {
              const { result } = envelope;
              if ((result.type === undefined || result.type === 'data') && 'id' in result) {
                if (typeof result.id === 'string' && result.id) lastEventId = result.id;
                failures = 0;
              }
              observer.next(envelope);
            },
            error(err) {
              if (stopped) return;
              if (!isTransportError(err) || opts.isClosed()) {
                observer.error(err);
                return;
              }
              current = undefined;
              timer = setTimeout(attempt, opts.delayMs(failures));
              failures += 1;
            },
            complete() {
              observer.complete();
            },
          });
          if (stopped) current.unsubscribe();
        };
        attempt();

        return () => {
          stopped = true;
          clearTimeout(timer);
          current?.unsubscribe();
        };
      });
    };
}
