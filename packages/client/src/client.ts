// `createQuerylaneClient()`: the fully typed tRPC client over Querylane's transports (transport.ts),
// plus `run()` and `events()`, which turn a run's event stream into a promise and an async iterable.
import { isTerminalEvent } from '@querylane/contracts';
import { createTRPCClient, type TRPCClient, type TRPCWebSocketClient } from '@trpc/client';
import pkg from '../package.json' with { type: 'json' };
import { QuerylaneRunError } from './errors.ts';
import type { AppRouter } from './router.ts';
import { createTransport, type WebSocketConstructor } from './transport.ts';
import type { Result, RunEvent, ServiceDiscovery } from './types.ts';

export type { ConnectionState, WebSocketConstructor } from './transport.ts';

export interface QuerylaneClientOptions {
  /** The server's address, e.g. `http://localhost:3000`; `/trpc` is added for both transports. */
  url: string;
  /**
   * Sent as `connectionParams.token` on the socket and `Authorization: Bearer` over HTTP. A
   * function is asked on every request and reconnect, so a refreshed token is picked up.
   */
  token?: string | (() => string | null | undefined) | undefined;
  /** For runtimes without a global WebSocket (Node 20): `import WebSocket from 'ws'`. */
  WebSocket?: WebSocketConstructor | undefined;
  /**
   * Open the socket only while a subscription needs it, and close it when none is left. Suits
   * scripts and the CLI; an app that shows a live connection state keeps the default (eager).
   */
  lazy?: boolean | undefined;
  /**
   * Told when something deserves a look but is no error, such as a server of another version
   * than this client (see `discovery()`). Default: `console.warn`.
   */
  onWarning?: ((message: string) => void) | undefined;
}

export interface RunOptions {
  datasetId?: string | undefined;
  conversationId?: string | undefined;
  /** Every event of the run in `seq` order, each exactly once; narrow on `event.type`. */
  onEvent?: ((event: RunEvent) => void) | undefined;
  /** Aborting cancels the run on the server; `run()` then rejects with code `CANCELLED`. */
  signal?: AbortSignal | undefined;
}

export interface EventsOptions {
  /** Replay only the events after this `seq` (what a reconnecting consumer last saw). */
  lastEventId?: string | number | null | undefined;
}

export interface QuerylaneClient {
  /** The fully typed tRPC client for every procedure of the router. */
  trpc: TRPCClient<AppRouter>;
  /** Starts a query and settles when it ends: the result, or a `QuerylaneRunError` with its code. */
  run(query: string, opts?: RunOptions): Promise<Result>;
  /**
   * Asks a question in plain words and settles when it is answered: the result carries `answer`
   * (markdown), `reading`, `sql` and `generator`; a refusal rejects with `NOT_UNDERSTOOD` or
   * `AMBIGUOUS`.
   */
  ask(question: string, opts?: RunOptions): Promise<Result>;
  /** A run's events (replayed, then live) that ends after the terminal event. */
  events(runId: string, opts?: EventsOptions): AsyncGenerator<RunEvent, void, undefined>;
  /** The socket's state (`idle` / `connecting` / `pending` = open), for a connection indicator. */
  connectionState: TRPCWebSocketClient['connectionState'];
  /**
   * The server's discovery document (version, features, endpoints, limits), or null when it
   * publishes none. Read once; the socket's keep-alive follows its schedule.
   */
  discovery(): Promise<ServiceDiscovery | null>;
  /** Closes the socket; runs still being followed reject, the server keeps running them. */
  close(): Promise<void>;
}

class ClientClosedError extends Error {
  constructor() {
    super('The Querylane client was closed while following this run.');
    this.name = 'ClientClosedError';
  }
}

function trpcCode(err: unknown): string | undefined {
  const data = (err as { data?: { code?: unknown } } | null)?.data;
  return typeof data?.code === 'string' ? data.code : undefined;
}

export function createQuerylaneClient(opts: QuerylaneClientOptions): QuerylaneClient {
  const { token } = opts;
  let closed = false;
  const transport = createTransport({
    url: opts.url,
    token: token ? () => (typeof token === 'function' ? token() : token) ?? null : null,
    WebSocket: opts.WebSocket,
    lazy: opts.lazy ?? false,
    clientVersion: pkg.version,
    onWarning: opts.onWarning ?? ((message) => console.warn(message)),
    isClosed: () => closed,
  });
  const trpc = createTRPCClient<AppRouter>({ links: transport.links });

  /** Rejecters of the runs being followed, so `close()` never leaves a promise pending. */
  const following = new Set<(err: Error) => void>();

  function follow(runId: string, runOpts: RunOptions): Promise<Result> {
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

      sub = trpc.runs.events.subscribe(
        { runId, lastEventId: null },
        {
          onData: ({ data: event }) => {
            // tRPC resumes after the last tracked id; the seq guard makes "exactly once" local too.
            if (settled || event.seq <= lastSeq) return;
            lastSeq = event.seq;
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
          onError: (err) => settle(() => reject(err)),
          onComplete: () => {
            if (settled) return;
            if (closed) settle(() => reject(new ClientClosedError()));
            else void settleFromRecord();
          },
        },
      );
      if (settled) sub.unsubscribe();
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) onAbort();
    });
  }

  async function run(query: string, runOpts: RunOptions = {}): Promise<Result> {
    return start({ query }, runOpts);
  }

  async function ask(question: string, runOpts: RunOptions = {}): Promise<Result> {
    return start({ question }, runOpts);
  }

  async function start(
    what: { query: string } | { question: string },
    runOpts: RunOptions,
  ): Promise<Result> {
    if (closed) throw new ClientClosedError();
    if (runOpts.signal?.aborted) {
      throw new QuerylaneRunError({
        code: 'CANCELLED',
        message: 'Aborted before the run was started.',
        retryable: true,
        runId: '',
      });
    }
    // Not given the signal: an aborted request would leave us not knowing whether the run
    // exists. follow() cancels it instead, right after it starts if the signal is already set.
    const { runId } = await trpc.runs.start.mutate({
      ...what,
      ...(runOpts.datasetId ? { datasetId: runOpts.datasetId } : {}),
      ...(runOpts.conversationId ? { conversationId: runOpts.conversationId } : {}),
    });
    return follow(runId, runOpts);
  }

  async function* events(
    runId: string,
    eventsOpts: EventsOptions = {},
  ): AsyncGenerator<RunEvent, void, undefined> {
    const after = eventsOpts.lastEventId == null ? null : String(eventsOpts.lastEventId);
    let lastSeq = after === null ? 0 : Number(after);
    const pending: RunEvent[] = [];
    let ended = false;
    let failure: { error: unknown } | undefined;
    let wake: (() => void) | undefined;
    const notify = () => {
      wake?.();
      wake = undefined;
    };
    const sub = trpc.runs.events.subscribe(
      { runId, lastEventId: after },
      {
        onData: ({ data }) => {
          pending.push(data);
          notify();
        },
        onError: (error) => {
          failure = { error };
          notify();
        },
        onComplete: () => {
          ended = true;
          notify();
        },
      },
    );
    try {
      for (;;) {
        const event = pending.shift();
        if (event) {
          if (event.seq <= lastSeq) continue;
          lastSeq = event.seq;
          yield event;
          if (isTerminalEvent(event)) return;
          continue;
        }
        if (failure) throw failure.error;
        if (ended) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    } finally {
      sub.unsubscribe();
    }
  }

  async function close(): Promise<void> {
    closed = true;
    for (const rejectOnClose of [...following]) rejectOnClose(new ClientClosedError());
    await transport.close();
  }

  return {
    trpc,
    run,
    ask,
    events,
    connectionState: transport.connectionState,
    discovery: transport.discovery,
    close,
  };
}
