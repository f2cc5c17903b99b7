// The history store's tables (PostgreSQL dialect): the same tables, columns and payloads as the
// SQLite schema, plus what a cluster needs — the run queue with its leases, the fair rotation
// across users, the nodes that are up, each room's seq counter, and the admin's activity feed
// (one process keeps that in memory). Times are timestamptz with millisecond precision.
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
    /**
     * Seq of its room's newest event. Taken with the row's lock as an event is stored, so nodes
     * appending at once get consecutive seqs and commit them in order.
     */
    roomSeq: integer('room_seq').notNull().default(0),
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

export const roomMembers = pgTable(
  'room_members',
  {
    conversationId: text('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    userId: text('user_id').notNull(),
    role: text({ enum: memberRoles }).notNull(),
    addedBy: text('added_by').notNull(),
    addedAt: at('added_at').notNull().defaultNow(),
    /** When this member pinned the conversation in their own list. */
    pinnedAt: at('pinned_at'),
  },
  (t) => [
    primaryKey({ columns: [t.conversationId, t.userId] }),
    index('room_members_user_idx').on(t.userId),
  ],
);

export const comments = pgTable(
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
    createdAt: at('created_at').notNull().defaultNow(),
    editedAt: at('edited_at'),
  },
  (t) => [index('comments_conversation_position_idx').on(t.conversationId, t.position)],
);

/** Each room's event log; its seq comes from `conversations.room_seq`. */
export const roomEvents = pgTable(
  'room_events',
  {
    conversationId: text('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    seq: integer().notNull(),
    type: text().notNull(),
    /** The event without seq, room and time (those are columns), serialised by the codec. */
    payload: text().notNull(),
    at: at('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.conversationId, t.seq] })],
);

/**
 * One row: this database's name for its cluster, made by the first node that starts on it. Redis
 * keys carry it, so clusters sharing a Redis (or a database made anew behind an old Redis) never
 * read each other's streams, feeds or presence.
 */
export const clusterIdentity = pgTable('cluster_identity', {
  id: integer().primaryKey(),
  clusterId: text('cluster_id').notNull(),
});

/** Seq of each feed's newest event, taken with the row's lock (as `room_seq` is for rooms). */
export const feedHeads = pgTable('feed_heads', {
  key: text().primaryKey(),
  seq: bigint({ mode: 'number' }).notNull(),
});

/** The admin's activity feed, shared by every node: a window of the newest events per key. */
export const feedEvents = pgTable(
  'feed_events',
  {
    key: text().notNull(),
    seq: bigint({ mode: 'number' }).notNull(),
    type: text().notNull(),
    /** The event without seq and time, serialised by the codec. */
    payload: text().notNull(),
    at: at('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.key, t.seq] })],
);
