// The closed sets of the audit trail: what an entry records, and every check that can turn a
// client away (also the label of the refusal metrics).
import { z } from 'zod';

export const auditKinds = [
  'refused',
  'run_cancelled',
  'conversation_deleted',
  'admin_broadcast',
  'admin_restart',
  'member_added',
  'member_role_changed',
  'member_removed',
  'member_left',
  'room_unshared',
  'comment_deleted',
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
  /** A conversation, run or comment asked for by someone outside its room (answered NOT_FOUND). */
  'not_member',
  'member_limit',
  'typing_rate',
  'comments_per_minute',
  /** Sharing asked for on a server without sign-in, where everyone is the same user. */
  'sharing_disabled',
] as const;
export const RefusalKind = z.enum(refusalKinds);
export type RefusalKind = z.infer<typeof RefusalKind>;

export const messageRoles = ['user', 'assistant'] as const;
export const MessageRole = z.enum(messageRoles);
export type MessageRole = z.infer<typeof MessageRole>;
