// The history store's tables (SQLite dialect): every conversation, message, run and run event,
// and the rooms around conversations (members, comments, room events). Result, error and event
// payloads are superjson text, written and read by the adapters' codec.
import {
  auditKinds,
  type ChartSpec,
  memberRoles,
  messageRoles,
  refusalKinds,
  runKinds,
  runStatuses,
  stages,
} from '@querylane/contracts';
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

const now = sql`(cast(unixepoch('subsec') * 1000 as integer))`;

export const conversations = sqliteTable(
  'conversations',
  {
    id: text().primaryKey(),
    userId: text('user_id').notNull(),
    title: text().notNull(),
    /** Set while its owner keeps it pinned to the top of their list. */
    pinnedAt: integer('pinned_at', { mode: 'timestamp_ms' }),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull().default(now),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull().default(now),
  },
  (t) => [
    index('conversations_user_updated_idx').on(t.userId, t.updatedAt),
    index('conversations_user_pinned_idx').on(t.userId, t.pinnedAt),
  ],
);

export const messages = sqliteTable(
  'messages',
  {
    id: text().primaryKey(),
    conversationId: text('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    userId: text('user_id').notNull(),
    // Orders messages within a conversation; timestamps can tie within a millisecond.
    position: integer().notNull(),
    role: text({ enum: messageRoles }).notNull(),
    content: text().notNull(),
    runId: text('run_id'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull().default(now),
  },
  (t) => [index('messages_conversation_position_idx').on(t.conversationId, t.position)],
);

export const runs = sqliteTable(
  'runs',
  {
    id: text().primaryKey(),
    userId: text('user_id').notNull(),
    conversationId: text('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    datasetId: text('dataset_id').notNull(),
    kind: text({ enum: runKinds }).notNull().default('sql'),
    query: text().notNull(),
    status: text({ enum: runStatuses }).notNull().default('queued'),
    stage: text({ enum: stages }),
    progress: integer().notNull().default(0),
    // Written with the run's other columns, not with each event: readers take the newest seq
    // from run_events (hot-path.ts, LAST_SEQ), so a streaming run's row is not rewritten per event.
    lastSeq: integer('last_seq').notNull().default(0),
    /** Serialised by the api's transformer (superjson), opaque to the store. */
    result: text(),
    error: text(),
    /** The chart its owner chose for the result (validated by the api before it is stored). */
    chart: text({ mode: 'json' }).$type<ChartSpec>(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull().default(now),
    startedAt: integer('started_at', { mode: 'timestamp_ms' }),
    finishedAt: integer('finished_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    index('runs_user_created_idx').on(t.userId, t.createdAt),
    index('runs_conversation_created_idx').on(t.conversationId, t.createdAt),
    index('runs_status_idx').on(t.status),
  ],
);

export const runEvents = sqliteTable(
  'run_events',
  {
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    seq: integer().notNull(),
    type: text().notNull(),
    /** The whole event, serialised by the api's transformer. */
    payload: text().notNull(),
    at: integer({ mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.seq] })],
);

export const datasets = sqliteTable('datasets', {
  id: text().primaryKey(),
  name: text().notNull(),
  kind: text({ enum: ['demo', 'user'] }).notNull(),
  path: text().notNull(),
  tables: text({ mode: 'json' }).$type<string[]>().notNull(),
  registeredAt: integer('registered_at', { mode: 'timestamp_ms' }).notNull().default(now),
});

export const auditLog = sqliteTable(
  'audit_log',
  {
    // Autoincrement so ids never repeat after pruning: admins page by id.
    id: integer().primaryKey({ autoIncrement: true }),
    at: integer({ mode: 'timestamp_ms' }).notNull().default(now),
    kind: text({ enum: auditKinds }).notNull(),
    reason: text({ enum: refusalKinds }),
    /** Who acted or was refused; null when no credentials were accepted. */
    userId: text('user_id'),
    ip: text(),
    /** The run, conversation or procedure the entry is about. */
    target: text(),
    detail: text({ mode: 'json' }).$type<Record<string, string | number | boolean | null>>(),
  },
  (t) => [index('audit_log_kind_idx').on(t.kind, t.id)],
);

/** Who else is in a conversation's room; its owner is the conversation's `user_id`. */
export const roomMembers = sqliteTable(
  'room_members',
  {
    conversationId: text('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    userId: text('user_id').notNull(),
    role: text({ enum: memberRoles }).notNull(),
    addedBy: text('added_by').notNull(),
    addedAt: integer('added_at', { mode: 'timestamp_ms' }).notNull().default(now),
    /** When this member pinned the conversation in their own list. */
    pinnedAt: integer('pinned_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    primaryKey({ columns: [t.conversationId, t.userId] }),
    index('room_members_user_idx').on(t.userId),
  ],
);

export const comments = sqliteTable(
  'comments',
  {
    id: text().primaryKey(),
    conversationId: text('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    /** The run it is about, or null for the thread. */
    runId: text('run_id'),
    userId: text('user_id').notNull(),
    /** Sanitised markdown. */
    body: text().notNull(),
    // Orders comments within a room; timestamps can tie within a millisecond.
    position: integer().notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull().default(now),
    editedAt: integer('edited_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('comments_conversation_position_idx').on(t.conversationId, t.position)],
);

/** Each room's event log; its seq is numbered here, as the events are stored. */
export const roomEvents = sqliteTable(
  'room_events',
  {
    conversationId: text('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    seq: integer().notNull(),
    type: text().notNull(),
    /** The event without seq, room and time (those are columns), serialised by the codec. */
    payload: text().notNull(),
    at: integer({ mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.conversationId, t.seq] })],
);
