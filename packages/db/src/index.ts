// @querylane/db: the history store's adapters, one folder per dialect, each implementing the
// ports of @querylane/runs. SQLite is the embedded default.
export { type Db, openStore, type Store, type StoreOptions } from './sqlite/client.ts';
export { openSqliteStores, type SqliteStores } from './sqlite/index.ts';
export * as sqliteSchema from './sqlite/schema.ts';
