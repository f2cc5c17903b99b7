// Test harness: the real server on an ephemeral port over a fresh data dir, and the real
// @trpc/client (HTTP batch + WebSocket) talking to it.
import { rmSync } from 'node:fs';
import type { AppRouter, RunEventOutput } from '@querylane/api';
import { transformer } from '@querylane/contracts/transformer';
import { freshShopDir } from '@querylane/engine/testing';
import { createTRPCClient, createWSClient, httpBatchLink, splitLink, wsLink } from '@trpc/client';
import WebSocket from 'ws';
import type { SecurityConfig } from '../config.ts';
import { readEnv } from '../env.ts';
import { configFromEnv, type RunningServer, type ServerConfig, startServer } from '../server.ts';

export function freshDataDir(): string {
  return freshShopDir('querylane-server-');
}

export type TestServerOverrides = Partial<Omit<ServerConfig, 'security' | 'streamLimits'>> & {
  security?: Partial<SecurityConfig>;
  streamLimits?: Partial<ServerConfig['streamLimits']>;
};

/** The server as configured by an empty environment, with the test's changes on top. */
export async function startTestServer(
  overrides: TestServerOverrides = {},
): Promise<RunningServer & { dataDir: string }> {
  const base = configFromEnv(readEnv({}));
  const dataDir = overrides.dataDir ?? freshDataDir();
  const { security, streamLimits, ...rest } = overrides;
  const server = await startServer({
    ...base,
    port: 0,
    dataDir,
    log: () => {},
    // Tests that need TIMEOUT set their own; a loaded machine must not turn slow into failed.
    queryTimeoutMs: 120_000,
    // Tests that need a grace period set their own; closing a test server stops its runs now.
    shutdownGraceMs: 0,
    ...rest,
    security: { ...base.security, ...security },
    streamLimits: { ...base.streamLimits, ...streamLimits },
  });
  return { ...server, dataDir };
}

export interface TestClientOptions {
  /** The WebSocket class to connect with (default: `ws`). */
  WebSocket?: typeof WebSocket;
  /** Sent as `connectionParams.token` on each (re)connect and as `Authorization: Bearer`. */
  token?: string | (() => string);
  /** Every close of the client's socket, with its code. */
  onClose?: (code: number | undefined) => void;
}

export function createTestClient(url: string, opts: TestClientOptions = {}) {
  const { token } = opts;
  const currentToken = () => (typeof token === 'function' ? token() : token);
  const wsClient = createWSClient({
    url: `${url.replace(/^http/, 'ws')}/trpc`,
    WebSocket: (opts.WebSocket ?? WebSocket) as unknown as typeof globalThis.WebSocket,
    retryDelayMs: () => 20,
    ...(token ? { connectionParams: () => ({ token: currentToken() ?? '' }) } : {}),
    ...(opts.onClose
      ? { onClose: (cause?: { code?: number }) => opts.onClose?.(cause?.code) }
      : {}),
  });
  const trpc = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: wsLink({ client: wsClient, transformer }),
        false: httpBatchLink({
          url: `${url}/trpc`,
          transformer,
          headers: () => (token ? { authorization: `Bearer ${currentToken()}` } : {}),
        }),
      }),
    ],
  });
  return { trpc, wsClient, close: () => wsClient.close() };
}

export function removeDir(dir: string) {
  rmSync(dir, { recursive: true, force: true });
}

export type TestClient = ReturnType<typeof createTestClient>;

/** Subscribes and resolves with every event once the terminal one has arrived. */
export function subscribeAll(
  trpc: TestClient['trpc'],
  runId: string,
  opts: { lastEventId?: string; onEvent?: (e: RunEventOutput) => void } = {},
) {
  return new Promise<RunEventOutput[]>((resolve, reject) => {
    const events: RunEventOutput[] = [];
    const sub = trpc.runs.events.subscribe(
      { runId, lastEventId: opts.lastEventId ?? null },
      {
        onData({ data }) {
          events.push(data);
          opts.onEvent?.(data);
        },
        onError: reject,
        onComplete: () => {
          sub.unsubscribe();
          resolve(events);
        },
      },
    );
  });
}

/** Every stored event of a run, read back from the store as a replay would yield it. */
export function storedEvents(server: RunningServer, runId: string): Promise<RunEventOutput[]> {
  return server.stores.history.after(runId, 0, 1_000_000);
}

/** A recursive count that keeps the worker busy for a few seconds on this kind of machine. */
export const SLOW = `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 20000000)
SELECT count(*) AS n FROM c`;

/** Never ends on its own: only a cancel or the time limit stops it. */
export const ENDLESS =
  'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c';
