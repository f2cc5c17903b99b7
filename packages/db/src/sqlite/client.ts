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

/** `path` is a file, or ':memory:' for tests. */
export function openStore(
  path: string,
  log: (message: string) => void = (message) => console.error(message),
): Store {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  if (path !== ':memory:') sqlite.pragma('journal_mode = WAL');
  // NORMAL is durable across process crashes in WAL mode; only power loss can lose the tail.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = drizzle({ client: sqlite, schema });
  migrate(db, { migrationsFolder });
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
