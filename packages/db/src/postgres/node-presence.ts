// The presence of nodes over PostgreSQL: one row per node, upserted by its heartbeat with what the node
// reports of itself. A node whose heartbeat is overdue is listed as gone for a while (so an admin
// sees which one died), then its row is dropped by whoever beats next.
import type { NodePresence, NodeReport } from '@querylane/runs';
import { sql } from 'drizzle-orm';
import type { PgStore } from './client.ts';
import { inMs } from './queue-sql.ts';

/** How long a gone node stays listed. */
const GONE_LISTED_MS = 10 * 60_000;

export function createNodePresence(store: PgStore): NodePresence {
  const { db } = store;
  return {
    async heartbeat({ nodeId, startedAt, report, ttlMs }) {
      await db.execute(sql`
        INSERT INTO nodes (id, started_at, seen_at, expires_at, report)
        VALUES (${nodeId}, ${startedAt}, now(), ${inMs(ttlMs)}, ${JSON.stringify(report)}::jsonb)
        ON CONFLICT (id) DO UPDATE SET
          started_at = excluded.started_at, seen_at = excluded.seen_at,
          expires_at = excluded.expires_at, report = excluded.report`);
      await db.execute(sql`DELETE FROM nodes WHERE expires_at < ${inMs(-GONE_LISTED_MS)}`);
    },
    async list(): Promise<NodeReport[]> {
      const rows = await db.execute<{
        id: string;
        started_at: Date;
        seen_at: Date;
        alive: boolean;
        report: unknown;
      }>(sql`
        SELECT id, started_at, seen_at, expires_at > now() AS alive, report FROM nodes
        ORDER BY alive DESC, started_at, id`);
      return rows.rows.map((r) => ({
        nodeId: r.id,
        startedAt: new Date(r.started_at),
        seenAt: new Date(r.seen_at),
        alive: r.alive,
        report: r.report,
      }));
    },
    async leave(nodeId) {
      await db.execute(sql`DELETE FROM nodes WHERE id = ${nodeId}`);
    },
  };
}
