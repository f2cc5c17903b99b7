// The closed sets of the audit trail: what an entry records, and every check that can turn a
// client away (also the label of the refusal metrics).
import { z } from 'zod';

export const auditKinds = [
  'refused',
  'run_cancelled',
  'conversation_deleted',
  'admin_broadcast',
] as const;
export const AuditKind = z.enum(auditKinds);
export type AuditKind = z.infer<typeof AuditKind>;

export const refusalKinds = [
  'unauthorized',
  'forbidden',
  'origin',
  'connections_per_user',
  'connections_per_ip',
  'runs_per_minute',
  'message_rate',
  'message_size',
  'body_size',
  'subscriptions_per_socket',
  'slow_consumer',
  /** A request or upgrade addressed to a host name the server does not answer to (DNS rebinding). */
  'host',
  /** More calls in one HTTP batch or one WebSocket message than allowed. */
  'calls_per_batch',
  /** Writing mutations other than runs.start (create, rename, delete, cancel) too fast. */
  'writes_per_minute',
] as const;
export const RefusalKind = z.enum(refusalKinds);
export type RefusalKind = z.infer<typeof RefusalKind>;

export const messageRoles = ['user', 'assistant'] as const;
export const MessageRole = z.enum(messageRoles);
export type MessageRole = z.infer<typeof MessageRole>;
