// What the dialects' repositories share beyond the codec: the conditions they filter by (drizzle
// builds them from either dialect's columns), how a page and the status counts are assembled,
// and why a guarded append matched no row. The statements themselves stay per dialect: SQLite's
// run synchronously inside one writer's transaction, PostgreSQL's concurrently from many nodes,
// with row locks and lease checks that SQLite has no need of.
import { isTerminalStatus, type RunStatus, runStatuses } from '@querylane/contracts';
import {
  NotFoundError,
  type Page,
  type PageCursor,
  RunEndedError,
  type RunPatch,
  type RunRecord,
  SeqConflictError,
} from '@querylane/runs';
import { and, type Column, eq, lt, or } from 'drizzle-orm';

/** Rows after `cursor` in a newest-first listing by (createdAt, id). */
export function before(columns: { createdAt: Column; id: Column }, cursor: PageCursor) {
  const at = new Date(cursor.at);
  return or(lt(columns.createdAt, at), and(eq(columns.createdAt, at), lt(columns.id, cursor.id)));
}

/** The row `id` if `userId` owns it. */
export function owned(columns: { id: Column; userId: Column }, userId: string, id: string) {
  return and(eq(columns.id, id), eq(columns.userId, userId));
}

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
