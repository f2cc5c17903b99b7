// The durable half of the event log over PostgreSQL: a run's events and its new state in one
// statement, guarded so that only the node holding the run (or anyone, while it waits) writes,
// only from the seq after the stored one, and never after its end. Every event of every run
// passes through here, so the common case is one prepared statement and one round trip.
import { isTerminalStatus, type RunEvent, type RunStatus } from '@querylane/contracts';
import { type EventHistory, LeaseLostError, type RunPatch } from '@querylane/runs';
import { and, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import { decodeCompletedForWire, decodeEvent, encode, toRunColumns } from '../shared/codec.ts';
import { isProgressPatch, openStatuses, refusal } from '../shared/queries.ts';
import type { PgStore } from './client.ts';
import { runEvents, runs } from './schema.ts';

// A batch of `queued` events (a place in line) is only for a run nobody holds yet: once a node
// has claimed it, the claim's row lock and node_id keep late announcements out.
const APPEND_PROGRESS = `
WITH moved AS (
  UPDATE runs SET last_seq = $3, stage = coalesce($4, stage), progress = coalesce($5, progress)
  WHERE id = $1 AND last_seq = $2 AND status IN ('queued', 'running')
    AND (node_id IS NULL OR (NOT $7::boolean AND node_id = $6))
  RETURNING id)
INSERT INTO run_events (run_id, seq, type, payload, at)
SELECT moved.id, e.seq, e.type, e.payload, e.at
FROM moved, unnest($8::int[], $9::text[], $10::text[], $11::timestamptz[]) AS e(seq, type, payload, at)
RETURNING seq`;

const SELECT_AFTER =
  'SELECT type, payload FROM run_events WHERE run_id = $1 AND seq > $2 ORDER BY seq LIMIT $3';
const SELECT_STATE =
  'SELECT status, last_seq AS "lastSeq", node_id AS "nodeId" FROM runs WHERE id = $1';

interface RunState {
  status: RunStatus;
  lastSeq: number;
  nodeId: string | null;
}

export function createEventHistory(store: PgStore, nodeId: string): EventHistory {
  const { pool, db } = store;

  const state = async (runId: string) =>
    (await pool.query<RunState>({ name: 'ql_run_state', text: SELECT_STATE, values: [runId] }))
      .rows[0];

  /** Why a guarded write matched nothing. */
  const refused = async (runId: string, expected: number | undefined, waitingOnly: boolean) => {
    const now = await state(runId);
    if (now && !isTerminalStatus(now.status) && now.nodeId !== null) {
      if (waitingOnly || now.nodeId !== nodeId) return new LeaseLostError(runId, now.nodeId);
    }
    return refusal(runId, now, expected);
  };

  const columnsOf = (events: readonly RunEvent[]) => ({
    seqs: events.map((e) => e.seq),
    types: events.map((e) => e.type),
    payloads: events.map((e) => encode(e)),
    ats: events.map((e) => e.at),
  });

  return {
    async append(runId, events, patch: RunPatch) {
      const first = events[0];
      const expected = first ? first.seq - 1 : undefined;
      const waitingOnly = events.length > 0 && events.every((e) => e.type === 'queued');
      if (isProgressPatch(patch) && expected !== undefined) {
        const { seqs, types, payloads, ats } = columnsOf(events);
        const res = await pool.query({
          name: 'ql_append_progress',
          text: APPEND_PROGRESS,
          values: [
            runId,
            expected,
            patch.lastSeq,
            patch.stage ?? null,
            patch.progress ?? null,
            nodeId,
            waitingOnly,
            seqs,
            types,
            payloads,
            ats,
          ],
        });
        if (res.rowCount !== events.length) throw await refused(runId, expected, waitingOnly);
        return;
      }
      const last = events.at(-1);
      const columns = toRunColumns({ ...(last ? { lastSeq: last.seq } : {}), ...patch });
      if (Object.keys(columns).length === 0) return;
      const written = await db.transaction(async (tx) => {
        const moved = await tx
          .update(runs)
          .set(columns)
          .where(
            and(
              eq(runs.id, runId),
              inArray(runs.status, openStatuses),
              expected === undefined ? undefined : eq(runs.lastSeq, expected),
              or(isNull(runs.nodeId), waitingOnly ? sql`false` : eq(runs.nodeId, nodeId)),
            ),
          )
          .returning({ id: runs.id });
        if (moved.length === 0) return false;
        if (events.length > 0) {
          await tx.insert(runEvents).values(
            events.map((e) => ({
              runId,
              seq: e.seq,
              type: e.type,
              payload: encode(e),
              at: e.at,
            })),
          );
        }
        return true;
      });
      if (!written) throw await refused(runId, expected, waitingOnly);
    },

    async after(runId, afterSeq, limit, opts) {
      const res = await pool.query<{ type: string; payload: string }>({
        name: 'ql_events_after',
        text: SELECT_AFTER,
        values: [runId, afterSeq, limit],
      });
      // Read to be sent on over the wire: a result goes out as stored, not decoded and encoded.
      const wire = opts?.storedResults === true;
      return res.rows.map((r) =>
        wire && r.type === 'completed' ? decodeCompletedForWire(r.payload) : decodeEvent(r.payload),
      );
    },

    async ended(runId) {
      const now = await state(runId);
      // A run that is not there has nothing more to say.
      return now === undefined || isTerminalStatus(now.status);
    },
  };
}
