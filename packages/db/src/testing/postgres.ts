// For tests against a real PostgreSQL: one throwaway server per test file, a template database
// with the migrations applied once, and a fresh copy of it for each store a test opens.
import { type PostgresServer, startPostgres } from '@querylane/daemons';
import { openPgStore } from '../postgres/client.ts';

export interface PgTestServer {
  server: PostgresServer;
  /** A new database with the migrations applied; resolves with its URL. */
  database(): Promise<string>;
  stop(): Promise<void>;
}

const TEMPLATE = 'querylane_template';

export async function startPgTestServer(): Promise<PgTestServer> {
  const server = await startPostgres();
  try {
    const store = await openPgStore(await server.createDatabase(TEMPLATE), {
      poolSize: 1,
      applicationName: 'querylane migrate template',
      log: () => {},
    });
    // A template must have no sessions open while it is copied.
    await store.close();
  } catch (err) {
    await server.stop();
    throw err;
  }
  return {
    server,
    database: () => server.createDatabase(undefined, TEMPLATE),
    stop: () => server.stop(),
  };
}
