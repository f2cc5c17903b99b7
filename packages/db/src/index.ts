// @querylane/db: the history store's adapters, one folder per dialect, each implementing the
// ports of @querylane/runs. SQLite is the embedded default; PostgreSQL serves a cluster, and
// also keeps its run queue (with leases) and the presence of its nodes.
export { redact } from './postgres/client.ts';
export {
  openPostgresStores,
  type PostgresStoreOptions,
  type PostgresStores,
} from './postgres/index.ts';
export { PgRunQueue } from './postgres/queue.ts';
export * as postgresSchema from './postgres/schema.ts';
export { type Db, openStore, type Store, type StoreOptions } from './sqlite/client.ts';
export { openSqliteStores, type SqliteStores } from './sqlite/index.ts';
export * as sqliteSchema from './sqlite/schema.ts';
