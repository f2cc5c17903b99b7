// `createQuerylaneClient()`: the fully typed tRPC client over Querylane's transports (transport.ts),
// plus `run()`/`ask()` as promises (follow.ts) and `events()` as an async iterable (run-events.ts).
import { createTRPCClient } from '@trpc/client';
import pkg from '../package.json' with { type: 'json' };
import type {
  EventsOptions,
  QuerylaneClient,
  QuerylaneClientOptions,
  RunOptions,
} from './client-options.ts';
import { QuerylaneRunError } from './errors.ts';
import { ClientClosedError, createRunFollower } from './follow.ts';
import type { AppRouter } from './router.ts';
import { runEvents } from './run-events.ts';
import { createTransport } from './transport.ts';
import type { Result, RunEvent } from './types.ts';

export type {
  EventsOptions,
  QuerylaneClient,
  QuerylaneClientOptions,
  RunOptions,
} from './client-options.ts';
export type { ConnectionState, WebSocketConstructor } from './transport.ts';

/** A random v4 UUID (`randomUUID` is missing outside secure contexts, e.g. plain http). */
function newRunId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
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
  const { follow, rejectAll } = createRunFollower(trpc, () => closed);

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
    const fields = {
      ...what,
      ...(runOpts.datasetId ? { datasetId: runOpts.datasetId } : {}),
      ...(runOpts.conversationId ? { conversationId: runOpts.conversationId } : {}),
    };
    // The client names the run, so starting it again (a cut socket, a lost reply) finds the
    // same run, never a second one.
    const runId = newRunId();
    if (transport.connectionState.get().state === 'pending') {
      // The socket is open: one subscription starts the run and follows it (one round trip to
      // the first event). An abort cancels it once its first event shows it is there.
      return follow(runId, runOpts, fields);
    }
    // No socket yet (a lazy client, or the server is out of reach): a request that fails at
    // once if nobody answers, rather than a subscription waiting for a socket. Not given the
    // signal: follow() cancels the run instead, right after it starts if the signal is set.
    await trpc.runs.start.mutate({ ...fields, runId });
    return follow(runId, runOpts);
  }

  function events(
    runId: string,
    eventsOpts: EventsOptions = {},
  ): AsyncGenerator<RunEvent, void, undefined> {
    return runEvents(trpc, runId, eventsOpts);
  }

  async function close(): Promise<void> {
    closed = true;
    rejectAll();
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
