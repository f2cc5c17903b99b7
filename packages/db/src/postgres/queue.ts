// RunQueue over PostgreSQL, shared by every node: runs wait in run_queue and are claimed in fair
// order with `FOR UPDATE SKIP LOCKED`, each claim a lease its node renews. A node that stops
// renewing (kill -9) has its runs taken over — by exactly one surviving node — to be ended.
// Nodes learn of new work and of aborts through LISTEN/NOTIFY, and poll in case one is lost.
import type { QueueEntry, QueueSignal, RunQueue } from '@querylane/runs';
import { sql } from 'drizzle-orm';
import { locks, type PgStore } from './client.ts';
import { Listener } from './listener.ts';
import {
  ABORT_CHANNEL,
  enqueueIn,
  fairOrder,
  inMs,
  lockQueue,
  notifyChanged,
  QUEUE_CHANNEL,
  type QueueRow,
  toEntry,
} from './queue-sql.ts';

export interface PgQueueOptions {
  nodeId: string;
  /** A claim lapses this long after its last renewal. */
  leaseMs: number;
  log: (message: string, err?: unknown) => void;
}

type Match = { runId: string } | { conversationId: string };

const matching = (match: Match) =>
  'runId' in match ? sql`run_id = ${match.runId}` : sql`conversation_id = ${match.conversationId}`;

export class PgRunQueue implements RunQueue {
  readonly shared = true;
  readonly #store: PgStore;
  readonly #opts: PgQueueOptions;
  readonly #listener: Listener;
  readonly #watchers = new Set<(signal: QueueSignal) => void>();

  private constructor(store: PgStore, opts: PgQueueOptions) {
    this.#store = store;
    this.#opts = opts;
    this.#listener = new Listener({
      url: store.url,
      channels: [QUEUE_CHANNEL, ABORT_CHANNEL],
      announcerLock: locks.announcer,
      applicationName: `querylane ${opts.nodeId} listen`,
      log: opts.log,
      onNotify: (channel, payload) => this.#onNotify(channel, payload),
      // Signals sent while the connection was down are lost: look at the queue again.
      onReconnect: () => this.#emit({ type: 'changed' }),
    });
  }

  /** Opens the node's LISTEN connection; resolves once it listens. */
  static async open(store: PgStore, opts: PgQueueOptions): Promise<PgRunQueue> {
    const queue = new PgRunQueue(store, opts);
    await queue.#listener.start();
    return queue;
  }

  /** Stops listening; another node takes over announcing places in line. */
  close(): Promise<void> {
    return this.#listener.stop();
  }

  async enqueue(entry: QueueEntry): Promise<void> {
    // RunStore.start has usually put it in line already, in its own transaction.
    const there = await this.#store.db.execute(
      sql`SELECT 1 FROM run_queue WHERE run_id = ${entry.runId}`,
    );
    if (there.rows.length > 0) return;
    await this.#store.db.transaction((tx) => enqueueIn(tx, entry));
  }

  async claim(n: number): Promise<QueueEntry[]> {
    if (n <= 0) return [];
    const { nodeId, leaseMs } = this.#opts;
    return this.#store.db.transaction(async (tx) => {
      await lockQueue(tx);
      const candidates = (await tx.execute<QueueRow>(fairOrder(n))).rows;
      if (candidates.length === 0) return [];
      // A row locked by a remove in progress is skipped rather than waited for.
      const taken = await tx.execute<{ run_id: string }>(sql`
        UPDATE run_queue SET claimed_by = ${nodeId}, lease_expires_at = ${inMs(leaseMs)}
        WHERE run_id IN (
          SELECT run_id FROM run_queue
          WHERE run_id = ANY(${sql.param(candidates.map((c) => c.run_id))}) AND claimed_by IS NULL
          FOR UPDATE SKIP LOCKED)
        RETURNING run_id`);
      const free = new Set(taken.rows.map((r) => r.run_id));
      const chosen = candidates.filter((c) => free.has(c.run_id));
      if (chosen.length === 0) return [];
      const ids = chosen.map((c) => c.run_id);
      // Each user served moves to the back of the rotation, in the order served.
      const turns = (
        await tx.execute<{ turn: string }>(sql`
          SELECT nextval('queue_turn_seq') AS turn FROM generate_series(1, ${chosen.length})`)
      ).rows.map((r) => Number(r.turn));
      const served = new Map<string, number>();
      for (const [i, c] of chosen.entries()) served.set(c.user_id, turns[i] as number);
      await tx.execute(sql`
        UPDATE queue_turns t SET turn = v.turn
        FROM unnest(${sql.param([...served.keys()])}::text[], ${sql.param([...served.values()])}::bigint[])
          AS v(user_id, turn)
        WHERE t.user_id = v.user_id`);
      // The claim order across all nodes, numbered from one sequence.
      await tx.execute(sql`
        UPDATE runs r SET node_id = ${nodeId}, claim_seq = s.base + u.ord
        FROM (SELECT setval('run_claim_seq', nextval('run_claim_seq') + ${ids.length - 1})
                     - ${ids.length} AS base) s,
             unnest(${sql.param(ids)}::text[]) WITH ORDINALITY AS u(id, ord)
        WHERE r.id = u.id`);
      await notifyChanged(tx);
      return chosen.map(toEntry);
    });
  }

  async remove(match: Match): Promise<QueueEntry[]> {
    const removed = await this.#store.db.transaction(async (tx) => {
      const rows = (
        await tx.execute<QueueRow & { seq: string }>(sql`
          DELETE FROM run_queue WHERE run_id IN (
            SELECT run_id FROM run_queue WHERE ${matching(match)} AND claimed_by IS NULL
            FOR UPDATE SKIP LOCKED)
          RETURNING run_id, user_id, conversation_id, seq`)
      ).rows;
      if (rows.length > 0) await notifyChanged(tx);
      return rows;
    });
    // One run, or one conversation's runs (one user's): arrival order is their queue order.
    return removed.sort((a, b) => Number(a.seq) - Number(b.seq)).map(toEntry);
  }

  async release(runId: string): Promise<void> {
    await this.#store.db.execute(
      sql`DELETE FROM run_queue WHERE run_id = ${runId} AND claimed_by = ${this.#opts.nodeId}`,
    );
  }

  async waiting(): Promise<QueueEntry[]> {
    return (await this.#store.db.execute<QueueRow>(fairOrder())).rows.map(toEntry);
  }

  async renew(runIds: readonly string[]): Promise<string[]> {
    if (runIds.length === 0) return [];
    const kept = await this.#store.db.execute<{ run_id: string }>(sql`
      UPDATE run_queue SET lease_expires_at = ${inMs(this.#opts.leaseMs)}
      WHERE claimed_by = ${this.#opts.nodeId} AND run_id = ANY(${sql.param([...runIds])})
      RETURNING run_id`);
    const held = new Set(kept.rows.map((r) => r.run_id));
    return runIds.filter((id) => !held.has(id));
  }

  async expired(limit: number): Promise<QueueEntry[]> {
    const { nodeId, leaseMs } = this.#opts;
    return this.#store.db.transaction(async (tx) => {
      // SKIP LOCKED: two reapers at once take different runs, never the same one.
      const taken = (
        await tx.execute<QueueRow>(sql`
          WITH gone AS (
            SELECT run_id FROM run_queue
            WHERE claimed_by IS NOT NULL AND lease_expires_at < clock_timestamp()
            ORDER BY lease_expires_at LIMIT ${limit}
            FOR UPDATE SKIP LOCKED)
          UPDATE run_queue q SET claimed_by = ${nodeId}, lease_expires_at = ${inMs(leaseMs)}
          FROM gone WHERE q.run_id = gone.run_id
          RETURNING q.run_id, q.user_id, q.conversation_id`)
      ).rows;
      if (taken.length > 0) {
        // From now on the run's old node may write nothing more to it.
        await tx.execute(sql`
          UPDATE runs SET node_id = ${nodeId} WHERE id = ANY(${sql.param(taken.map((t) => t.run_id))})`);
      }
      return taken.map(toEntry);
    });
  }

  async abort(match: Match, reason: string): Promise<string[]> {
    const held = await this.#store.db.execute<{ run_id: string; claimed_by: string }>(sql`
      SELECT run_id, claimed_by FROM run_queue WHERE ${matching(match)} AND claimed_by IS NOT NULL`);
    for (const row of held.rows) {
      const payload = JSON.stringify({
        node: row.claimed_by,
        runId: row.run_id,
        reason: reason.slice(0, 500),
      });
      await this.#store.db.execute(sql`SELECT pg_notify(${ABORT_CHANNEL}, ${payload})`);
    }
    return held.rows.map((r) => r.run_id);
  }

  watch(listener: (signal: QueueSignal) => void): () => void {
    this.#watchers.add(listener);
    return () => this.#watchers.delete(listener);
  }

  announces(): Promise<boolean> {
    return this.#listener.leads();
  }

  #onNotify(channel: string, payload: string): void {
    if (channel === QUEUE_CHANNEL) {
      this.#emit({ type: 'changed' });
      return;
    }
    try {
      const msg = JSON.parse(payload) as { node?: unknown; runId?: unknown; reason?: unknown };
      if (msg.node !== this.#opts.nodeId || typeof msg.runId !== 'string') return;
      this.#emit({ type: 'abort', runId: msg.runId, reason: String(msg.reason ?? 'Cancelled') });
    } catch (err) {
      this.#opts.log('an abort notification could not be read', err);
    }
  }

  #emit(signal: QueueSignal): void {
    for (const watcher of [...this.#watchers]) watcher(signal);
  }
}
