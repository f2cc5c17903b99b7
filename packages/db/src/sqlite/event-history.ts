// The durable half of the event log over SQLite: a run's events and its new state written in
// one transaction, then read back in seq order. Every event of every run passes through here,
// so the common case skips Drizzle's per-call query building: statements prepared once.
import {
  isTerminalEvent,
  isTerminalStatus,
  type RunEvent,
  type RunStatus,
} from '@querylane/contracts';
import type { EventHistory, RunPatch } from '@querylane/runs';
import { and, eq, inArray } from 'drizzle-orm';
import { decodeCompletedForWire, decodeEvent, encode, toRunColumns } from '../shared/codec.ts';
import { isProgressPatch, openStatuses, refusal } from '../shared/queries.ts';
import type { Db } from './client.ts';
import { runs } from './schema.ts';

/**
 * Pages a run's end may take past the store's size cap. A full store takes nothing new, but each
 * run it holds can still be ended (its terminal event is a few hundred bytes); else a run that
 * hit the cap would stay `running` until the next start.
 */
const END_RESERVE_PAGES = 64;

const isFull = (err: unknown) =>
  typeof (err as { code?: unknown } | null)?.code === 'string' &&
  (err as { code: string }).code.startsWith('SQLITE_FULL');

export function createEventHistory(db: Db): EventHistory {
  const client = db.$client;
  const insertEvent = client.prepare<[string, number, string, string, number]>(
    'INSERT INTO run_events (run_id, seq, type, payload, at) VALUES (?, ?, ?, ?, ?)',
  );
  // Guarded: only a run that has not ended, and only from the seq after the stored one.
  const updateProgress = client.prepare<{
    id: string;
    expected: number;
    lastSeq: number;
    stage: string | null;
    progress: number | null;
  }>(
    'UPDATE runs SET last_seq = @lastSeq, stage = coalesce(@stage, stage), ' +
      'progress = coalesce(@progress, progress) ' +
      "WHERE id = @id AND last_seq = @expected AND status IN ('queued', 'running')",
  );
  const selectState = client.prepare<[string], { status: RunStatus; lastSeq: number }>(
    'SELECT status, last_seq AS lastSeq FROM runs WHERE id = ?',
  );
  const selectAfter = client.prepare<[string, number, number], { type: string; payload: string }>(
    'SELECT type, payload FROM run_events WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?',
  );
  const selectStatus = client
    .prepare<[string], string>('SELECT status FROM runs WHERE id = ?')
    .pluck();

  const appendTx = client.transaction(
    (
      runId: string,
      events: readonly { seq: number; type: string; at: Date }[],
      patch: RunPatch,
    ) => {
      const first = events[0];
      const expected = first ? first.seq - 1 : undefined;
      if (isProgressPatch(patch) && expected !== undefined) {
        const changed = updateProgress.run({
          id: runId,
          expected,
          lastSeq: patch.lastSeq,
          stage: patch.stage ?? null,
          progress: patch.progress ?? null,
        }).changes;
        if (changed !== 1) throw refusal(runId, selectState.get(runId), expected);
      } else {
        const last = events.at(-1);
        const columns = toRunColumns({ ...(last ? { lastSeq: last.seq } : {}), ...patch });
        if (Object.keys(columns).length === 0) return;
        const changed = db
          .update(runs)
          .set(columns)
          .where(
            and(
              eq(runs.id, runId),
              inArray(runs.status, openStatuses),
              expected === undefined ? undefined : eq(runs.lastSeq, expected),
            ),
          )
          .run().changes;
        if (changed !== 1) throw refusal(runId, selectState.get(runId), expected);
      }
      for (const e of events) insertEvent.run(runId, e.seq, e.type, encode(e), e.at.getTime());
    },
  );

  return {
    async append(runId, events, patch) {
      try {
        appendTx(runId, events, patch);
      } catch (err) {
        if (!isFull(err) || !events.some((e) => isTerminalEvent(e as RunEvent))) throw err;
        const cap = client.pragma('max_page_count', { simple: true }) as number;
        client.pragma(`max_page_count = ${cap + END_RESERVE_PAGES}`);
        try {
          appendTx(runId, events, patch);
        } finally {
          // Back to the cap (or to the pages now used, if that is more: SQLite keeps the larger).
          client.pragma(`max_page_count = ${cap}`);
        }
      }
    },
    async after(runId, afterSeq, limit, opts) {
      const wire = opts?.storedResults === true;
      return selectAfter
        .all(runId, afterSeq, limit)
        .map((row) =>
          wire && row.type === 'completed'
            ? decodeCompletedForWire(row.payload)
            : decodeEvent(row.payload),
        );
    },
    async ended(runId) {
      const status = selectStatus.get(runId);
      // A run that is not there has nothing more to say.
      return (
        status === undefined || isTerminalStatus(status as Parameters<typeof isTerminalStatus>[0])
      );
    },
  };
}
