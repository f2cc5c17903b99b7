// `run()` and `ask()` as a promise: follows one run's events to its terminal event, hands each
// to onEvent exactly once, cancels on abort, and settles from the stored record if cut short.
import type { TRPCClient } from '@trpc/client';
import type { RunOptions } from './client-options.ts';
import { QuerylaneRunError } from './errors.ts';
import type { AppRouter } from './router.ts';
import type { Result, RouterInputs, RunEvent } from './types.ts';

export class ClientClosedError extends Error {
  constructor() {
    super('The Querylane client was closed while following this run.');
    this.name = 'ClientClosedError';
  }
}

function trpcCode(err: unknown): string | undefined {
  const data = (err as { data?: { code?: unknown } } | null)?.data;
  return typeof data?.code === 'string' ? data.code : undefined;
}

/** What `runs.run` starts: the run is named by the client, so following it can start it. */
export type StartFields = Omit<RouterInputs['runs']['run'], 'runId' | 'lastEventId'>;

export interface RunFollower {
  /**
   * Settles with the run's result, or rejects with a `QuerylaneRunError` with its code. Given
   * `start`, the same call starts the run (one round trip to its first event).
   */
  follow(runId: string, runOpts: RunOptions, start?: StartFields): Promise<Result>;
  /** Rejects every run still being followed: the client was closed. */
  rejectAll(): void;
}

export function createRunFollower(
  trpc: TRPCClient<AppRouter>,
  isClosed: () => boolean,
): RunFollower {
  /** Rejecters of the runs being followed, so `close()` never leaves a promise pending. */
  const following = new Set<(err: Error) => void>();

  function follow(runId: string, runOpts: RunOptions, start?: StartFields): Promise<Result> {
    const { onEvent, signal } = runOpts;
    return new Promise<Result>((resolve, reject) => {
      let lastSeq = 0;
      let settled = false;
      let cancelling = false;
      let sub: { unsubscribe(): void } | undefined;

      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        following.delete(rejectOnClose);
        signal?.removeEventListener('abort', onAbort);
        sub?.unsubscribe();
        outcome();
      };
      const rejectOnClose = (err: Error) => settle(() => reject(err));
      following.add(rejectOnClose);

      const onAbort = () => {
        if (cancelling || settled) return;
        // Started by this call and not heard of yet: cancelled once its first event shows it is
        // there (a cancel that reached the server first would find nothing).
        if (start && lastSeq === 0) return;
        cancelling = true;
        // The run's own `cancelled` event settles the promise, so the rejection comes after the
        // server has stored the run as cancelled.
        trpc.runs.cancel.mutate({ runId }).catch((err: unknown) => {
          // CONFLICT: the run ended on its own first; its terminal event is on the way.
          if (trpcCode(err) !== 'CONFLICT') settle(() => reject(err));
        });
      };

      // A stream that ends without a terminal event (a run cut off by a server that then stopped
      // short of writing one) defers to the stored record.
      const settleFromRecord = async () => {
        try {
          const record = await trpc.runs.byId.query({ runId });
          if (record.status === 'completed' && record.result) {
            const { result } = record;
            settle(() => resolve(result));
            return;
          }
          const error = record.error;
          settle(() =>
            reject(
              new QuerylaneRunError({
                code: record.status === 'cancelled' ? 'CANCELLED' : (error?.code ?? 'INTERRUPTED'),
                message:
                  error?.message ?? `The event stream ended while the run was ${record.status}.`,
                hint: error?.hint,
                retryable: error?.retryable ?? true,
                runId,
              }),
            ),
          );
        } catch (err) {
          settle(() => reject(err));
        }
      };

      const handlers = {
        onData: ({ data: event }: { data: RunEvent }) => {
          // tRPC resumes after the last tracked id; the seq guard makes "exactly once" local too.
          if (settled || event.seq <= lastSeq) return;
          lastSeq = event.seq;
          if (signal?.aborted) onAbort();
          try {
            onEvent?.(event);
          } catch (err) {
            settle(() => reject(err));
            return;
          }
          switch (event.type) {
            case 'completed':
              settle(() => resolve(event.result));
              break;
            case 'failed':
              settle(() =>
                reject(
                  new QuerylaneRunError({
                    code: event.error.code,
                    message: event.error.message,
                    hint: event.error.hint,
                    retryable: event.error.retryable,
                    runId,
                  }),
                ),
              );
              break;
            case 'cancelled':
              settle(() =>
                reject(
                  new QuerylaneRunError({
                    code: 'CANCELLED',
                    message: `The run was cancelled: ${event.reason}`,
                    retryable: true,
                    runId,
                  }),
                ),
              );
              break;
            default:
              // Progress (and any event type added later) only goes to onEvent.
              break;
          }
        },
        onError: (err: unknown) => settle(() => reject(err)),
        onComplete: () => {
          if (settled) return;
          if (isClosed()) settle(() => reject(new ClientClosedError()));
          else void settleFromRecord();
        },
      };
      sub = start
        ? trpc.runs.run.subscribe({ ...start, runId, lastEventId: null }, handlers)
        : trpc.runs.events.subscribe({ runId, lastEventId: null }, handlers);
      if (settled) sub.unsubscribe();
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) onAbort();
    });
  }

  function rejectAll(): void {
    for (const rejectOnClose of [...following]) rejectOnClose(new ClientClosedError());
  }

  return { follow, rejectAll };
}
