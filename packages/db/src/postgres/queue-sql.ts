// The run queue's statements, shared by the queue itself and by RunStore.start (which puts a new
// run in line in its own transaction). Fair order is FairQueue's round-robin, kept in tables:
// each user with waiting runs has a turn; the k-th waiting run of every user comes before any
// user's (k+1)-th, and within a round users go by turn. Serving a user moves them to the back.
// Turns come from a sequence, so putting a run in line takes no lock; claims take one, so that
// nodes claim one after another in exactly the fair order.
import { type SQL, sql } from 'drizzle-orm';
import { locks } from './client.ts';
import type { Tx } from './conversation-store.ts';

export const QUEUE_CHANNEL = 'querylane_queue';
export const ABORT_CHANNEL = 'querylane_abort';

export interface QueueRow extends Record<string, unknown> {
  run_id: string;
  user_id: string;
  conversation_id: string;
}

export const toEntry = (row: QueueRow) => ({
  runId: row.run_id,
  userId: row.user_id,
  conversationId: row.conversation_id,
});

/** Claims never interleave: each sees the line as the previous one left it. */
export const lockQueue = (tx: Tx) => tx.execute(sql`SELECT pg_advisory_xact_lock(${locks.queue})`);

/** Tells every node (their LISTEN connections) once the transaction commits. */
export const notifyChanged = (tx: Tx) => tx.execute(sql`SELECT pg_notify(${QUEUE_CHANNEL}, '')`);

/**
 * Puts a run in line; a run already there (waiting or held) keeps its place. One statement: a
 * user with nothing else waiting joins the rotation at the back, as in FairQueue, and every node
 * hears of it once the transaction commits.
 */
export async function enqueueIn(
  tx: Tx,
  entry: { runId: string; userId: string; conversationId: string },
) {
  const res = await tx.execute<{ queued: boolean }>(sql`
    WITH q AS (
      INSERT INTO run_queue (run_id, user_id, conversation_id)
      VALUES (${entry.runId}, ${entry.userId}, ${entry.conversationId})
      ON CONFLICT (run_id) DO NOTHING
      RETURNING run_id),
    t AS (
      INSERT INTO queue_turns (user_id, turn)
      SELECT ${entry.userId}, nextval('queue_turn_seq') WHERE EXISTS (SELECT 1 FROM q)
      ON CONFLICT (user_id) DO UPDATE SET turn = excluded.turn
      WHERE NOT EXISTS (
        SELECT 1 FROM run_queue
        WHERE user_id = ${entry.userId} AND claimed_by IS NULL AND run_id <> ${entry.runId}))
    SELECT EXISTS (SELECT 1 FROM q) AS queued, pg_notify(${QUEUE_CHANNEL}, '')
    WHERE EXISTS (SELECT 1 FROM q)`);
  return res.rows.length > 0;
}

/** Waiting runs in the order they will be claimed; `limit` bounds the work for a claim. */
export function fairOrder(limit?: number): SQL {
  return sql`
    WITH ranked AS (
      SELECT q.run_id, q.user_id, q.conversation_id, t.turn,
             row_number() OVER (PARTITION BY q.user_id ORDER BY q.seq) AS k
      FROM run_queue q JOIN queue_turns t ON t.user_id = q.user_id
      WHERE q.claimed_by IS NULL)
    SELECT run_id, user_id, conversation_id FROM ranked
    ${limit === undefined ? sql`` : sql`WHERE k <= ${limit}`}
    ORDER BY k, turn
    ${limit === undefined ? sql`` : sql`LIMIT ${limit}`}`;
}

/**
 * The time `ms` from now, for leases. The clock at the moment of the statement, not the start of
 * its transaction (`now()`): a claim that waited for the queue lock must not start half-spent.
 */
export const inMs = (ms: number) => sql`clock_timestamp() + make_interval(secs => ${ms / 1000})`;
