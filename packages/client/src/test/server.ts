// What the client's tests against the real server share: one server on port 0 per test file
// (its statement timeout raised), clients closed after each test, and the queries they run.
import { removeDir, startTestServer } from '@querylane/server/test-harness';
import { afterAll, afterEach, beforeAll } from 'vitest';
import WebSocket from 'ws';
import { createQuerylaneClient, type QuerylaneClient } from '../client.ts';

export const CATEGORIES =
  'SELECT category, count(*) AS n FROM products GROUP BY category ORDER BY category';
// Keeps the SQL worker busy for a second or two: long enough to cut a socket mid-run.
export const SLOW = `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 5000000)
SELECT count(*) AS n FROM c`;
// Never ends on its own; the server's statement timeout (raised below) would end it.
export const ENDLESS =
  'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c';

/** Sets up the file's tests; `server` is read inside a test, once it has started. */
export function useLiveServer() {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer({ queryTimeoutMs: 120_000 });
  });
  afterAll(async () => {
    await server?.close();
    if (server) removeDir(server.dataDir);
  });

  const clients: QuerylaneClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
  });

  function connect(opts: { token?: string; url?: string; lazy?: boolean } = {}): QuerylaneClient {
    const client = createQuerylaneClient({ url: server.url, WebSocket, ...opts });
    clients.push(client);
    return client;
  }

  async function storedSeqs(runId: string): Promise<number[]> {
    return (await server.stores.history.after(runId, 0, 10_000)).map((e) => e.seq);
  }

  return {
    get server() {
      return server;
    },
    connect,
    storedSeqs,
  };
}
