// Opens the history store: better-sqlite3 in WAL mode with the committed migrations applied.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { Checkpointer } from './checkpointer.ts';
import * as schema from './schema.ts';

/** Drizzle over the store, with the better-sqlite3 connection under it (`$client`). */
export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export interface Store {
  db: Db;
  sqlite: Database.Database;
  close(): Promise<void>;
}

const migrationsFolder = fileURLToPath(new URL('../../drizzle/sqlite', import.meta.url));

export interface StoreOptions {
  /** Largest the file may grow; past it writes fail with SQLITE_FULL, as on a full disk. */
  maxBytes?: number | null;
  /**
   * How long a write waits for another connection's lock. better-sqlite3 waits synchronously,
   * blocking the event loop, so a server keeps this short and retries busy writes itself.
   */
  busyTimeoutMs?: number;
  /** Where the WAL checkpointer's failures are reported. */
  log?: (message: string) => void;
}

/** `path` is a file, or ':memory:' for tests. */
export function openStore(path: string, opts: StoreOptions = {}): Store {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  if (path !== ':memory:') sqlite.pragma('journal_mode = WAL');
  // NORMAL is durable across process crashes in WAL mode; only power loss can lose the tail.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? 5000))}`);
  const db = drizzle({ client: sqlite, schema });
  migrate(db, { migrationsFolder });
  if (opts.maxBytes) {
    const pageSize = sqlite.pragma('page_size', { simple: true }) as number;
    // Never below the pages the file already has (SQLite keeps the larger of the two).
    sqlite.pragma(`max_page_count = ${Math.max(1, Math.floor(opts.maxBytes / pageSize))}`);
  }
  const log = opts.log ?? ((message: string) => console.error(message));
  const checkpointer = path === ':memory:' ? undefined : new Checkpointer(path, sqlite, log);
  let closed = false;
  return {
    db,
    sqlite,
    async close() {
      if (closed) return;
      closed = true;
      await checkpointer?.stop();
      if (path !== ':memory:') sqlite.pragma('wal_checkpoint(TRUNCATE)');
      sqlite.close();
    },
  };
}
