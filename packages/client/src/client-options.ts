// The client's public shapes: the options of `createQuerylaneClient()`, of `run()` and
// `events()`, and the `QuerylaneClient` they return.
import type { TRPCClient, TRPCWebSocketClient } from '@trpc/client';
import type { AppRouter } from './router.ts';
import type { WebSocketConstructor } from './transport.ts';
import type { Result, RunEvent, ServiceDiscovery } from './types.ts';

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
