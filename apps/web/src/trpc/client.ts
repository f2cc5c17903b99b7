// Builds the typed tRPC client: queries and mutations over batched HTTP, subscriptions over one
// WebSocket that keeps itself alive, reconnects with capped backoff and resumes tracked streams.
// Framework-free on purpose, so a shared `@querylane/client` package can take it over as is.
import type { AppRouter } from '@querylane/api';
import { transformer } from '@querylane/api/transformer';
import {
  createTRPCClient,
  createWSClient,
  httpBatchLink,
  splitLink,
  type TRPCClient,
  type TRPCWebSocketClient,
  wsLink,
} from '@trpc/client';

export interface QuerylaneClientOptions {
  /** Where queries and mutations go, e.g. `/trpc` or `http://host:port/trpc`. */
  httpUrl: string;
  /** Where the subscription socket connects, e.g. `ws://host:port/trpc`. */
  wsUrl: string;
  /** A WebSocket implementation for runtimes without a global one. */
  WebSocket?: typeof WebSocket;
  /**
   * The caller's token when the server requires one: sent as `Authorization: Bearer` on HTTP
   * and as `connectionParams.token` each time the socket (re)connects. A function is asked
   * every time, so a refreshed token is picked up on the next reconnect.
   */
  token?: string | (() => string | null);
}

export interface QuerylaneClient {
  trpc: TRPCClient<AppRouter>;
  /** Exposed for its `connectionState` observable; the UI shows it as the connection badge. */
  ws: TRPCWebSocketClient;
  close: () => Promise<void>;
}

const RETRY_BASE_MS = 250;
const RETRY_CAP_MS = 10_000;

/** Exponential backoff for reconnects, capped so a long outage still retries every 10 s. */
export function reconnectDelayMs(attemptIndex: number): number {
  return Math.min(RETRY_BASE_MS * 2 ** attemptIndex, RETRY_CAP_MS);
}

/** The URLs of the tRPC endpoints on the origin that served the page (HTTP and WS share it). */
export function sameOriginUrls(location: Pick<Location, 'protocol' | 'host'>): {
  httpUrl: string;
  wsUrl: string;
} {
  const wsProtocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return { httpUrl: '/trpc', wsUrl: `${wsProtocol}//${location.host}/trpc` };
}

export function createQuerylaneClient(opts: QuerylaneClientOptions): QuerylaneClient {
  const { token } = opts;
  const currentToken = () => (typeof token === 'function' ? token() : (token ?? null));
  const ws = createWSClient({
    url: opts.wsUrl,
    ...(opts.WebSocket ? { WebSocket: opts.WebSocket } : {}),
    ...(token ? { connectionParams: () => ({ token: currentToken() ?? '' }) } : {}),
    // Pings catch a half-open socket (laptop sleep, proxy idle cut) that `close` never reports.
    keepAlive: { enabled: true, intervalMs: 10_000, pongTimeoutMs: 4_000 },
    retryDelayMs: reconnectDelayMs,
  });
  const trpc = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: wsLink<AppRouter>({ client: ws, transformer }),
        false: httpBatchLink<AppRouter>({
          url: opts.httpUrl,
          transformer,
          headers: (): Record<string, string> => {
            const t = currentToken();
            return t ? { authorization: `Bearer ${t}` } : {};
          },
        }),
      }),
    ],
  });
  return { trpc, ws, close: () => ws.close() };
}
