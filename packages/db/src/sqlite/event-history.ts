// The durable half of the event log over SQLite: a run's events and its new state written in
// one transaction (the batches of several runs in one, for group commit), then read back in seq
// order. Every event of every run passes through here, so statements are prepared once. An
// append is guarded: only a run that has not ended, and only from the seq after the stored one.
import {
  isTerminalEvent,
  isTerminalStatus,
  type RunEvent,
  type RunStatus,
} from '@querylane/contracts';
import type { EventBatch, EventHistory, RunPatch } from '@querylane/runs';
import { decodeCompletedForWire, decodeEvent, encodeEvent } from '../shared/codec.ts';
import { isProgressPatch, refusal } from '../shared/queries.ts';
import type { Db } from './client.ts';
import { type HotPath, LAST_SEQ } from './hot-path.ts';

/**
 * Pages a run's end may take past the store's size cap. A full store takes nothing new, but each
 * run it holds can still be ended (its terminal event is a few hundred bytes); else a run that
 * hit the cap would stay `running` until the next start.
 */
const END_RESERVE_PAGES = 64;

const isFull = (err: unknown) =>
  typeof (err as { code?: unknown } | null)?.code === 'string' &&
  (err as { code: string }).code.startsWith('SQLITE_FULL');

export function createEventHistory(db: Db, hot: HotPath): EventHistory {
  const client = db.$client;
  const { insertEvent } = hot;
  const updateProgress = client.prepare<{
    id: string;
    lastSeq: number;
    stage: string | null;
    progress: number | null;
  }>(
    'UPDATE runs SET last_seq = @lastSeq, stage = coalesce(@stage, stage), ' +
      'progress = coalesce(@progress, progress) WHERE id = @id',
  );
  const selectState = client.prepare<[string], { status: RunStatus; lastSeq: number }>(
    `SELECT status, ${LAST_SEQ} AS lastSeq FROM runs WHERE id = ?`,
  );
  const selectAfter = client.prepare<[string, number, number], { type: string; payload: string }>(
    'SELECT type, payload FROM run_events WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?',
  );
  const selectStatus = client
    .prepare<[string], string>('SELECT status FROM runs WHERE id = ?')
    .pluck();

  const write = (runId: string, events: readonly RunEvent[], patch: RunPatch) => {
    // The run's lastSeq is its newest stored event (hot-path.ts): a writer that is not the one
    // the stored seq expects (another node, a stale recorder) is refused, as is a run that ended.
    const expected = events.length > 0 ? (events[0] as RunEvent).seq - 1 : undefined;
    const state = selectState.get(runId);
    if (
      !state ||
      isTerminalStatus(state.status) ||
      (expected !== undefined && state.lastSeq !== expected)
    ) {
      throw refusal(runId, state, expected);
    }
    for (const e of events) insertEvent.run(runId, e.seq, e.type, encodeEvent(e), e.at.getTime());
    if (isProgressPatch(patch)) {
      if (patch.stage === undefined && patch.progress === undefined) return;
      updateProgress.run({
        id: runId,
        lastSeq: patch.lastSeq,
        stage: patch.stage ?? null,
        progress: patch.progress ?? null,
      });
    } else {
      hot.patchRun(runId, patch);
    }
  };
  const appendTx = client.transaction(write);
  const appendManyTx = client.transaction((batches: readonly EventBatch[]) => {
    for (const b of batches) write(b.runId, b.events, b.patch);
  });

  return {
    async append(runId, events, patch) {
      try {
        appendTx(runId, events, patch);
      } catch (err) {
        if (!isFull(err) || !events.some(isTerminalEvent)) throw err;
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
    // A full store fails the whole group; the event log then writes each batch alone, and a
    // run's end gets the reserve above.
    async appendMany(batches) {
      appendManyTx(batches);
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
