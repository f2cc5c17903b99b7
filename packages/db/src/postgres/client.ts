// Opens the PostgreSQL history store: a node-postgres pool with the committed migrations applied.
// Several nodes may start at once; an advisory lock lets one migrate while the others wait.
import { fileURLToPath } from 'node:url';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import * as schema from './schema.ts';

export type PgDb = NodePgDatabase<typeof schema> & { $client: pg.Pool };

export interface PgStore {
  db: PgDb;
  pool: pg.Pool;
  url: string;
  close(): Promise<void>;
}

/** Advisory lock keys of this schema (any stable 64-bit numbers not used by others). */
export const locks = {
  migrate: 7_104_212_001,
  /** Held for the length of a queue transaction: claims, enqueues and turns never interleave. */
  queue: 7_104_212_002,
  /** Held by one node's session at a time: that node announces places in line. */
  announcer: 7_104_212_003,
} as const;

const migrationsFolder = fileURLToPath(new URL('../../drizzle/postgres', import.meta.url));

export interface PgOptions {
  /** Connections in the pool. */
  poolSize: number;
  /** Shown in pg_stat_activity. */
  applicationName: string;
  log: (message: string, err?: unknown) => void;
}

export async function openPgStore(url: string, opts: PgOptions): Promise<PgStore> {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.poolSize,
    application_name: opts.applicationName,
    // A node cut off from the database fails its calls after this rather than hanging.
    connectionTimeoutMillis: 10_000,
  });
  // An idle connection that breaks (the server restarted) is dropped by the pool; without a
  // listener its error would take the process down.
  pool.on('error', (err) => opts.log('a PostgreSQL connection failed', err));
  const db = drizzle({ client: pool, schema }) as PgDb;
  try {
    const client = await pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [locks.migrate]);
      try {
        await migrate(drizzle({ client, schema }), { migrationsFolder });
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [locks.migrate]);
      }
    } finally {
      client.release();
    }
  } catch (err) {
    await pool.end().catch(() => {});
    throw new Error(
      `Could not open the PostgreSQL store at ${redact(url)}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  let closed: Promise<void> | undefined;
  return {
    db,
    pool,
    url,
    close: () => {
      closed ??= pool.end();
      return closed;
    },
  };
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the configured URL';
  }
}
