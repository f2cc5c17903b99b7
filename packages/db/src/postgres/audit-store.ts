// AuditStore over PostgreSQL: the audit trail, newest first, pruned to a row budget. Every node
// writes to the one table, so admins see the whole cluster's refusals and actions.
import type { AuditStore } from '@querylane/runs';
import { and, desc, eq, lt, lte } from 'drizzle-orm';
import type { PgDb } from './client.ts';
import { auditLog } from './schema.ts';

export function createAuditStore(db: PgDb): AuditStore {
  return {
    async append(entry) {
      const [row] = await db.insert(auditLog).values(entry).returning();
      if (!row) throw new Error('audit entry was not written');
      return row;
    },
    async list(opts) {
      return db
        .select()
        .from(auditLog)
        .where(
          and(
            opts.beforeId !== undefined ? lt(auditLog.id, opts.beforeId) : undefined,
            opts.kind ? eq(auditLog.kind, opts.kind) : undefined,
            opts.reason ? eq(auditLog.reason, opts.reason) : undefined,
          ),
        )
        .orderBy(desc(auditLog.id))
        .limit(opts.limit);
    },
    async prune(keep) {
      const [cut] = await db
        .select({ id: auditLog.id })
        .from(auditLog)
        .orderBy(desc(auditLog.id))
        .limit(1)
        .offset(keep);
      if (!cut) return 0;
      const gone = await db.delete(auditLog).where(lte(auditLog.id, cut.id));
      return gone.rowCount ?? 0;
    },
  };
}
