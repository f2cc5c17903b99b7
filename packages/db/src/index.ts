export { type Db, openStore, type Store } from './client.ts';
export * from './repositories.ts';
export * as schema from './schema.ts';
