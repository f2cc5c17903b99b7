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
    // Not given the signal: an aborted request would leave us not knowing whether the run
    // exists. follow() cancels it instead, right after it starts if the signal is already set.
    const { runId } = await trpc.runs.start.mutate({
      ...what,
      ...(runOpts.datasetId ? { datasetId: runOpts.datasetId } : {}),
      ...(runOpts.conversationId ? { conversationId: runOpts.conversationId } : {}),
    });
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
