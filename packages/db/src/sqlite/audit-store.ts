// AuditStore over SQLite: the audit trail, newest first, pruned to a row budget. It belongs to
// no person: only admins read it.
import type { AuditStore } from '@querylane/runs';
import { and, desc, eq, lt, lte } from 'drizzle-orm';
import type { Db } from './client.ts';
import { auditLog } from './schema.ts';

export function createAuditStore(db: Db): AuditStore {
  return {
    async append(entry) {
      return db.insert(auditLog).values(entry).returning().get();
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
        .limit(opts.limit)
        .all();
    },
    async prune(keep) {
      const cut = db
        .select({ id: auditLog.id })
        .from(auditLog)
        .orderBy(desc(auditLog.id))
        .limit(1)
        .offset(keep)
        .get();
      if (!cut) return 0;
      return db.delete(auditLog).where(lte(auditLog.id, cut.id)).run().changes;
    },
  };
}
