// The durable half of the event log over SQLite: a run's events and its new state written in
// one transaction, then read back in seq order. Every event of every run passes through here,
// so the common case skips Drizzle's per-call query building: statements prepared once.
import { isTerminalStatus } from '@querylane/contracts';
import {
  type EventHistory,
  NotFoundError,
  RunEndedError,
  type RunPatch,
  SeqConflictError,
} from '@querylane/runs';
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from './client.ts';
import { decodeEvent, encode, toRunColumns } from './codec.ts';
import { runs } from './schema.ts';

const progressKeys: ReadonlySet<string> = new Set(['lastSeq', 'stage', 'progress']);

/** A patch that only moves a run along (what nearly every event batch carries). */
function isProgressPatch(
  patch: RunPatch,
): patch is { lastSeq: number; stage?: NonNullable<RunPatch['stage']>; progress?: number } {
  return (
    typeof patch.lastSeq === 'number' &&
    Object.keys(patch).every((k) => progressKeys.has(k)) &&
    patch.stage !== null &&
    patch.progress !== null
  );
}

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
  const selectState = client.prepare<[string], { status: string; lastSeq: number }>(
    'SELECT status, last_seq AS lastSeq FROM runs WHERE id = ?',
  );
  const selectAfter = client
    .prepare<[string, number, number], string>(
      'SELECT payload FROM run_events WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?',
    )
    .pluck();
  const selectStatus = client
    .prepare<[string], string>('SELECT status FROM runs WHERE id = ?')
    .pluck();

  /** Why a guarded update matched no row: the run is gone, has ended, or moved on. */
  const refusal = (runId: string, expected: number | undefined): Error => {
    const state = selectState.get(runId);
    if (!state) return new NotFoundError('Run', runId);
    if (isTerminalStatus(state.status as Parameters<typeof isTerminalStatus>[0])) {
      return new RunEndedError(runId);
    }
    return new SeqConflictError(runId, expected ?? state.lastSeq, state.lastSeq);
  };

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
        if (changed !== 1) throw refusal(runId, expected);
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
              inArray(runs.status, ['queued', 'running']),
              expected === undefined ? undefined : eq(runs.lastSeq, expected),
            ),
          )
          .run().changes;
        if (changed !== 1) throw refusal(runId, expected);
      }
      for (const e of events) insertEvent.run(runId, e.seq, e.type, encode(e), e.at.getTime());
    },
  );

  return {
    async append(runId, events, patch) {
      appendTx(runId, events, patch);
    },
    async after(runId, afterSeq, limit) {
      return selectAfter.all(runId, afterSeq, limit).map(decodeEvent);
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
