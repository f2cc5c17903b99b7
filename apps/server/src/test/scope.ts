// What the server's tests share beyond the harness: one clean-up
// list per test (run in reverse after it) that test servers and clients put themselves on.
import { afterEach } from 'vitest';
import { createTestClient, removeDir, startTestServer } from './harness.ts';

export { until } from '@querylane/runs/testing';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** Runs `fn` after the current test, before anything registered earlier. */
export function onCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}

/** The real server on port 0, closed and its data dir removed after the test. */
export async function testServer(overrides?: Parameters<typeof startTestServer>[0]) {
  const server = await startTestServer(overrides);
  onCleanup(() => removeDir(server.dataDir));
  onCleanup(() => server.close());
  return server;
}

/** The real tRPC client, closed after the test. */
export function testClient(...args: Parameters<typeof createTestClient>) {
  const client = createTestClient(...args);
  onCleanup(() => client.close());
  return client;
}
