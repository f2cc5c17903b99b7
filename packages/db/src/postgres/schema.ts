// The history store's tables (PostgreSQL dialect): the same tables, columns and payloads as the
// SQLite schema, plus what a cluster needs — the run queue with its leases, the fair rotation
// across users, and the nodes that are up. Times are timestamptz with millisecond precision.
import {
  auditKinds,
  type ChartSpec,
  messageRoles,
  refusalKinds,
  runKinds,
  runStatuses,
  stages,
} from '@querylane/contracts';
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  index,
  integer,
  jsonb,
  pgSequence,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';

const at = (name: string) => timestamp(name, { withTimezone: true, precision: 3, mode: 'date' });

export const conversations = pgTable(
  'conversations',
  {
    id: text().primaryKey(),
    userId: text('user_id').notNull(),
    title: text().notNull(),
    /** Set while its owner keeps it pinned to the top of their list. */
    pinnedAt: at('pinned_at'),
    createdAt: at('created_at').notNull().defaultNow(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('conversations_user_updated_idx').on(t.userId, t.updatedAt),
    index('conversations_user_pinned_idx').on(t.userId, t.pinnedAt),
  ],
);

export const messages = pgTable(
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
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (t) => [index('messages_conversation_position_idx').on(t.conversationId, t.position)],
);

export const runs = pgTable(
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
    lastSeq: integer('last_seq').notNull().default(0),
    /** Serialised by the contracts' transformer (superjson), opaque to the store. */
    result: text(),
    error: text(),
    /** The chart its owner chose for the result (validated by the api before it is stored). */
    chart: jsonb().$type<ChartSpec>(),
    createdAt: at('created_at').notNull().defaultNow(),
    startedAt: at('started_at'),
    finishedAt: at('finished_at'),
    /** The node that holds the run (claimed it, or took it over to end it); null while waiting. */
    nodeId: text('node_id'),
    /** The order in which the queue handed runs out, across all nodes. */
    claimSeq: bigint('claim_seq', { mode: 'number' }),
  },
  (t) => [
    index('runs_user_created_idx').on(t.userId, t.createdAt),
    index('runs_conversation_created_idx').on(t.conversationId, t.createdAt),
    index('runs_status_idx').on(t.status),
  ],
);

export const runEvents = pgTable(
  'run_events',
  {
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    seq: integer().notNull(),
    type: text().notNull(),
    /** The whole event, serialised by the contracts' transformer. */
    payload: text().notNull(),
    at: at('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.seq] })],
);

export const datasets = pgTable('datasets', {
  id: text().primaryKey(),
  name: text().notNull(),
  kind: text({ enum: ['demo', 'user'] }).notNull(),
  path: text().notNull(),
  tables: jsonb().$type<string[]>().notNull(),
  registeredAt: at('registered_at').notNull().defaultNow(),
});

export const auditLog = pgTable(
  'audit_log',
  {
    // A sequence, so ids never repeat after pruning: admins page by id.
    id: bigserial({ mode: 'number' }).primaryKey(),
    at: at('at').notNull().defaultNow(),
    kind: text({ enum: auditKinds }).notNull(),
    reason: text({ enum: refusalKinds }),
    /** Who acted or was refused; null when no credentials were accepted. */
    userId: text('user_id'),
    ip: text(),
    /** The run, conversation or procedure the entry is about. */
    target: text(),
    detail: jsonb().$type<Record<string, string | number | boolean | null>>(),
  },
  (t) => [index('audit_log_kind_idx').on(t.kind, t.id)],
);

/** Runs waiting for a slot (`claimedBy` null) or held by a node under a lease. */
export const runQueue = pgTable(
  'run_queue',
  {
    runId: text('run_id')
      .primaryKey()
      .references(() => runs.id, { onDelete: 'cascade' }),
    userId: text('user_id').notNull(),
    conversationId: text('conversation_id').notNull(),
    /** Arrival order: oldest first within a user. */
    seq: bigserial({ mode: 'number' }).notNull(),
    claimedBy: text('claimed_by'),
    leaseExpiresAt: at('lease_expires_at'),
  },
  (t) => [
    index('run_queue_waiting_idx').on(t.userId, t.seq).where(sql`${t.claimedBy} is null`),
    index('run_queue_leases_idx').on(t.leaseExpiresAt).where(sql`${t.claimedBy} is not null`),
    index('run_queue_conversation_idx').on(t.conversationId),
  ],
);

/** Numbers claims across all nodes, in the order the queue handed runs out. */
export const runClaimSeq = pgSequence('run_claim_seq');

/** Turns in the rotation: a user served, or back in line after a while, takes the next one. */
export const queueTurnSeq = pgSequence('queue_turn_seq');

/** The round-robin across users: the user with the lowest turn is served next. */
export const queueTurns = pgTable('queue_turns', {
  userId: text('user_id').primaryKey(),
  turn: bigint({ mode: 'number' }).notNull(),
});

/** Nodes that are up (or were, recently), each with what it last reported of itself. */
export const nodes = pgTable('nodes', {
  id: text().primaryKey(),
  startedAt: at('started_at').notNull(),
  seenAt: at('seen_at').notNull(),
  expiresAt: at('expires_at').notNull(),
  report: jsonb().notNull(),
});
