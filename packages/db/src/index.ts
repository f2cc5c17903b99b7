export { type Db, openStore, type Store } from './client.ts';
export * from './repositories.ts';
export * as schema from './schema.ts';
export {
  type AuditKind,
  auditKinds,
  type MessageRole,
  type RefusalKind,
  type RunStatusValue,
  refusalKinds,
} from './schema.ts';
