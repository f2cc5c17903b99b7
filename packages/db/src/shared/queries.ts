// What the dialects' repositories share beyond the codec: the conditions they filter by (drizzle
// builds them from either dialect's columns), how a page and the status counts are assembled,
// and why a guarded append matched no row. The statements themselves stay per dialect: SQLite's
// run synchronously inside one writer's transaction, PostgreSQL's concurrently from many nodes,
// with row locks and lease checks that SQLite has no need of.
import { isTerminalStatus, type RoomRole, type RunStatus, runStatuses } from '@querylane/contracts';
import {
  type ConversationCursor,
  NotFoundError,
  type Page,
  type PageCursor,
  RunEndedError,
  type RunPatch,
  type RunRecord,
  SeqConflictError,
} from '@querylane/runs';
import { and, type Column, desc, eq, isNull, lt, or, type SQL, sql, type Table } from 'drizzle-orm';

/** Rows after `cursor` in a newest-first listing by (createdAt, id). */
export function before(columns: { createdAt: Column; id: Column }, cursor: PageCursor) {
  const at = new Date(cursor.at);
  return or(lt(columns.createdAt, at), and(eq(columns.createdAt, at), lt(columns.id, cursor.id)));
}

/** The row `id` if `userId` owns it. */
export function owned(columns: { id: Column; userId: Column }, userId: string, id: string) {
  return and(eq(columns.id, id), eq(columns.userId, userId));
}

interface ConversationColumns {
  id: Column;
  /** The viewer's own pin: the conversation's for its owner, their seat's for a member. */
  pinnedAt: Column | SQL;
  updatedAt: Column;
}

/** A person's conversations: pinned first (most recently pinned first), then newest first. */
export function conversationOrder(c: ConversationColumns) {
  return [sql`${c.pinnedAt} is null`, desc(c.pinnedAt), desc(c.updatedAt), desc(c.id)];
}

/**
 * Everything after `cursor` in `conversationOrder`. `time` turns a cursor's milliseconds into
 * the dialect's parameter for a pin (SQLite stores them as numbers, PostgreSQL as timestamps).
 */
export function conversationsAfter(
  c: ConversationColumns,
  cursor: ConversationCursor,
  time: (ms: number) => unknown,
): SQL {
  const at = new Date(cursor.at);
  const sameRank = or(lt(c.updatedAt, at), and(eq(c.updatedAt, at), lt(c.id, cursor.id)));
  if (cursor.pinnedAt === null) return and(isNull(c.pinnedAt), sameRank) as SQL;
  const pinnedAt = time(cursor.pinnedAt);
  return or(
    isNull(c.pinnedAt),
    sql`${c.pinnedAt} < ${pinnedAt}`,
    and(sql`${c.pinnedAt} = ${pinnedAt}`, sameRank),
  ) as SQL;
}

interface Conversations {
  id: Column;
  userId: Column;
  pinnedAt: Column;
  updatedAt: Column;
}

interface RoomMembers {
  conversationId: Column;
  userId: Column;
  pinnedAt: Column;
  role: Column;
}

/**
 * A conversation as `userId` sees it, in either dialect: joined (`seat`, a left join) to their
 * seat in its room (none for its owner), with their own pin and their role.
 */
export function viewedBy<C extends Conversations, R extends Record<string, Column>>(
  conversations: C,
  /** The columns of a conversation record. */
  record: R,
  roomMembers: RoomMembers,
  userId: string,
) {
  const own = sql`${conversations.userId} = ${userId}`;
  const pinnedAt =
    sql<Date | null>`case when ${own} then ${conversations.pinnedAt} else ${roomMembers.pinnedAt} end`.mapWith(
      conversations.pinnedAt,
    );
  return {
    seat: and(eq(roomMembers.conversationId, conversations.id), eq(roomMembers.userId, userId)),
    /** What `conversationOrder` and `conversationsAfter` sort and page by, for this viewer. */
    order: { id: conversations.id, pinnedAt, updatedAt: conversations.updatedAt },
    columns: {
      ...record,
      pinnedAt,
      role: sql<RoomRole>`case when ${own} then 'owner' else ${roomMembers.role} end`,
    },
  };
}

/** A page of conversations from `limit + 1` rows. */
export function conversationPageOf<
  T extends { id: string; pinnedAt: Date | null; updatedAt: Date },
>(rows: T[], limit: number): Page<T, ConversationCursor> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items,
    next:
      rows.length > limit && last
        ? { pinnedAt: last.pinnedAt?.getTime() ?? null, at: last.updatedAt.getTime(), id: last.id }
        : null,
  };
}

/** LIKE's wildcards in what a person typed match themselves (escape character `\`). */
export const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;

/** A page from `limit + 1` rows: the extra one only says there is more. */
export function pageOf(records: RunRecord[], limit: number): Page<RunRecord> {
  const items = records.slice(0, limit);
  const last = items.at(-1);
  return {
    items,
    next: records.length > limit && last ? { at: last.createdAt.getTime(), id: last.id } : null,
  };
}

/** Counts for every status, zero where no row has it. */
export function statusCounts(rows: { status: RunStatus; n: number | string }[]) {
  const counts = Object.fromEntries(runStatuses.map((s) => [s, 0])) as Record<RunStatus, number>;
  for (const row of rows) counts[row.status] = Number(row.n);
  return counts;
}

const progressKeys: ReadonlySet<string> = new Set(['lastSeq', 'stage', 'progress']);

/** A patch that only moves a run along (what nearly every event batch carries). */
export function isProgressPatch(
  patch: RunPatch,
): patch is { lastSeq: number; stage?: NonNullable<RunPatch['stage']>; progress?: number } {
  return (
    typeof patch.lastSeq === 'number' &&
    Object.keys(patch).every((k) => progressKeys.has(k)) &&
    patch.stage !== null &&
    patch.progress !== null
  );
}

/** Why a guarded append matched no row: the run is gone, has ended, or another writer moved it on. */
export function refusal(
  runId: string,
  state: { status: RunStatus; lastSeq: number } | undefined,
  expected: number | undefined,
): Error {
  if (!state) return new NotFoundError('Run', runId);
  if (isTerminalStatus(state.status)) return new RunEndedError(runId);
  return new SeqConflictError(runId, expected ?? state.lastSeq, state.lastSeq);
}

/** Statuses a run can still be written in. */
export const openStatuses = ['queued', 'running'] as const satisfies readonly RunStatus[];

/**
 * The conversation's title, or any of its messages, contains `search`: `like` in SQLite (ASCII
 * case ignored), `ilike` in PostgreSQL. Wildcards in `search` are taken literally.
 */
export function titleOrMessageMatches(
  tables: {
    conversations: Table & { id: Column; title: Column };
    messages: Table & { conversationId: Column; content: Column };
  },
  search: string,
  operator: 'like' | 'ilike',
): SQL {
  const { conversations: c, messages: m } = tables;
  const pattern = likePattern(search);
  const op = sql.raw(operator);
  return sql`(${c.title} ${op} ${pattern} escape '\\' or exists (select 1 from ${m} where ${m.conversationId} = ${c.id} and ${m.content} ${op} ${pattern} escape '\\'))`;
}
