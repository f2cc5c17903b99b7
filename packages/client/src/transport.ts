// The client's two transports: batched HTTP for queries and mutations, and one WebSocket for
// subscriptions. The socket is created once the server's discovery document has been read, so
// its keep-alive follows the server's schedule; a version mismatch is reported on the way.

import { transformer } from '@querylane/contracts/transformer';
import {
  createWSClient,
  httpBatchLink,
  type OperationLink,
  splitLink,
  type TRPCLink,
  type TRPCWebSocketClient,
  wsLink,
} from '@trpc/client';
import { behaviorSubject, observable, type Unsubscribable } from '@trpc/server/observable';
import { fetchDiscovery, keepAliveFrom, versionWarning } from './discovery.ts';
import { resubscribeLink } from './resubscribe.ts';
import type { AppRouter } from './router.ts';
import type { ServiceDiscovery } from './types.ts';
import { endpointUrls, reconnectDelayMs } from './urls.ts';

/**
 * Any WebSocket constructor with the browser's API: the global one, or `ws`'s default export in
 * Node 20 (its typings differ from the DOM's only in details tRPC does not use).
 */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => unknown;

export type ConnectionState = ReturnType<TRPCWebSocketClient['connectionState']['get']>;
type StateSubject = TRPCWebSocketClient['connectionState'];

export interface TransportOptions {
  url: string;
  token: (() => string | null) | null;
  WebSocket: WebSocketConstructor | undefined;
  lazy: boolean;
  clientVersion: string;
  onWarning: (message: string) => void;
  isClosed: () => boolean;
}

export interface Transport {
  links: TRPCLink<AppRouter>[];
  connectionState: StateSubject;
  discovery(): Promise<ServiceDiscovery | null>;
  close(): Promise<void>;
}

// How long a slow discovery may hold up the socket before it opens with the fallback schedule.
const DISCOVERY_TIMEOUT_MS = 5_000;

export function createTransport(opts: TransportOptions): Transport {
  const { httpUrl, wsUrl } = endpointUrls(opts.url);
  // Read through a narrow type, so consumers compile this file without the DOM lib.
  const WebSocketImpl =
    opts.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (!WebSocketImpl) {
    throw new TypeError(
      'No global WebSocket in this runtime (Node 20): pass one, e.g. `import WebSocket from "ws"` ' +
        'and createQuerylaneClient({ url, WebSocket }).',
    );
  }
  const { token } = opts;
  // Mirrors the socket's state from the start, although the socket itself comes a moment later.
  const connectionState: StateSubject = behaviorSubject<ConnectionState>({
    type: 'state',
    state: opts.lazy ? 'idle' : 'connecting',
    error: null,
  });

  const stopDiscovery = new AbortController();
  let discovered: Promise<ServiceDiscovery | null> | undefined;
  const discovery = () => {
    discovered ??= fetchDiscovery(
      httpUrl,
      AbortSignal.any([stopDiscovery.signal, AbortSignal.timeout(DISCOVERY_TIMEOUT_MS)]),
    ).then((doc) => {
      const warning = doc && versionWarning(opts.clientVersion, doc, opts.url);
      if (warning) opts.onWarning(warning);
      return doc;
    });
    return discovered;
  };

  let socketClient: TRPCWebSocketClient | null = null;
  let socketReady: Promise<TRPCWebSocketClient | null> | undefined;
  const socket = () => {
    socketReady ??= discovery().then((doc) => {
      if (opts.isClosed()) return null;
      socketClient = createWSClient({
        url: wsUrl,
        WebSocket: WebSocketImpl as NonNullable<Parameters<typeof createWSClient>[0]['WebSocket']>,
        // A function, so each reconnect sends the token again (the server authenticates per socket).
        ...(token ? { connectionParams: () => ({ token: token() ?? '' }) } : {}),
        // Pings catch a half-open socket (laptop sleep, proxy idle cut) that `close` never reports.
        keepAlive: { enabled: true, ...keepAliveFrom(doc) },
        retryDelayMs: reconnectDelayMs,
        ...(opts.lazy ? { lazy: { enabled: true, closeMs: 0 } } : {}),
      });
      socketClient.connectionState.subscribe({ next: (state) => connectionState.next(state) });
      return socketClient;
    });
    return socketReady;
  };
  if (!opts.lazy) void socket();

  /** wsLink over the socket once it exists; a subscription asked for before waits for it. */
  const deferredWsLink: TRPCLink<AppRouter> = (runtime) => {
    // Made on the first subscription: a lazy client opens nothing (not even discovery) before.
    let operationLink: Promise<OperationLink<AppRouter> | null> | undefined;
    return ({ op, next }) =>
      observable((observer) => {
        let stopped = false;
        let inner: Unsubscribable | undefined;
        operationLink ??= socket().then((client) =>
          client ? wsLink<AppRouter>({ client, transformer })(runtime) : null,
        );
        void operationLink.then((link) => {
          if (stopped) return;
          // Closed before the socket was made: a subscription just ends, as tRPC's own close does.
          if (!link) observer.complete();
          else inner = link({ op, next }).subscribe(observer);
        });
        return () => {
          stopped = true;
          inner?.unsubscribe();
        };
      });
  };

  const links: TRPCLink<AppRouter>[] = [
    // Before the split: a subscription the network cut before tRPC could resend it starts again.
    resubscribeLink<AppRouter>({ delayMs: reconnectDelayMs, isClosed: opts.isClosed }),
    splitLink({
      condition: (op) => op.type === 'subscription',
      true: deferredWsLink,
      false: httpBatchLink<AppRouter>({
        url: httpUrl,
        transformer,
        headers: (): Record<string, string> => {
          const current = token?.();
          return current ? { Authorization: `Bearer ${current}` } : {};
        },
      }),
    }),
  ];

  return {
    links,
    connectionState,
    discovery,
    async close() {
      stopDiscovery.abort();
      const client = socketClient ?? (socketReady ? await socketReady : null);
      await client?.close();
    },
  };
}
