// What the security tests share: test tokens, a server with security settings, a client, the code of
// a refused call, raw sockets for clients that must misbehave, and the audit rows of one refusal.
import type { AppRouter } from '@querylane/api';
import { TRPCClientError } from '@trpc/client';
import WebSocket from 'ws';
import { parseTokens } from '../auth.ts';
import type { SecurityConfig } from '../config.ts';
import { onCleanup, testClient, testServer } from './scope.ts';

export const TOKENS = {
  alice: 'alice-token-5f3a9c1e7b2d',
  bob: 'bob-token-8e4d2a6c0f1b',
  root: 'root-token-1c7e5a3f9d2b',
};
export const tokenAuth = {
  mode: 'token' as const,
  tokens: parseTokens(`${TOKENS.alice}:alice,${TOKENS.bob}:bob,${TOKENS.root}:root:admin`),
};

export async function serve(
  security: Partial<SecurityConfig>,
  extra: { maxMessageBytes?: number } = {},
) {
  const logged: string[] = [];
  const server = await testServer({
    security,
    ...extra,
    log: (message, err) =>
      logged.push(`${message} ${err instanceof Error ? err.stack : String(err)}`),
  });
  return { server, logged };
}

export function client(url: string, opts: Parameters<typeof testClient>[1] = {}) {
  return testClient(url, opts).trpc;
}

export async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof TRPCClientError)) throw new Error(`expected a TRPCClientError: ${err}`);
  return (err as TRPCClientError<AppRouter>).data?.code;
}

/** The error a subscription ends with (it must not deliver any data first). */
export function subscriptionError(
  subscribe: (cb: { onData: () => void; onError: (err: unknown) => void }) => {
    unsubscribe(): void;
  },
): Promise<TRPCClientError<AppRouter>> {
  return new Promise((resolve, reject) => {
    const sub = subscribe({
      onData: () => reject(new Error('data reached a refused subscriber')),
      onError: (err) => {
        sub.unsubscribe();
        resolve(err as TRPCClientError<AppRouter>);
      },
    });
  });
}

/** A raw socket: resolves once open, or with the HTTP status of a refused upgrade. */
export function rawSocket(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ ws: WebSocket; status: number | null }> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/trpc`, { headers });
  onCleanup(() => ws.terminate());
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, status: null }));
    ws.once('unexpected-response', (_req, res) => resolve({ ws, status: res.statusCode ?? 0 }));
    ws.once('error', reject);
  });
}

export const closed = (ws: WebSocket) =>
  new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );

export async function refusals(
  server: Awaited<ReturnType<typeof serve>>['server'],
  reason: string,
) {
  await server.services.audit.settled();
  return (await server.stores.audit.list({ limit: 100 })).filter(
    (r) => r.kind === 'refused' && r.reason === reason,
  );
}
