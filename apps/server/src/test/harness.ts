// Test harness: the real server on an ephemeral port over a fresh data dir, and the real
// @trpc/client (HTTP batch + WebSocket) talking to it.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AppRouter, transformer } from '@querylane/api';
import { ensureShopDataset } from '@querylane/engine';
import { createTRPCClient, createWSClient, httpBatchLink, splitLink, wsLink } from '@trpc/client';
import WebSocket from 'ws';
import { type RunningServer, type ServerConfig, startServer } from '../server.ts';

const sharedShop = join(tmpdir(), 'querylane-test-shop.db');

export function freshDataDir(): string {
  ensureShopDataset(sharedShop);
  const dataDir = mkdtempSync(join(tmpdir(), 'querylane-server-'));
  copyFileSync(sharedShop, join(dataDir, 'shop.db'));
  return dataDir;
}

export async function startTestServer(
  overrides: Partial<ServerConfig> = {},
): Promise<RunningServer & { dataDir: string }> {
  const dataDir = overrides.dataDir ?? freshDataDir();
  const server = await startServer({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    log: () => {},
    ...overrides,
  });
  return { ...server, dataDir };
}

export interface TestClientOptions {
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
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
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
