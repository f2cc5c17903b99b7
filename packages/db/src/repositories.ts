// Typed reads and writes over the history store. Every person-owned read is scoped by userId;
// payloads (results, errors, events) are opaque strings serialised by the caller. The audit log
// belongs to no person: only admins read it.

import type { AuditKind, MessageRole, RefusalKind, RunStatus } from '@querylane/contracts';
import { and, asc, desc, eq, gt, inArray, lt, lte, or, sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { auditLog, conversations, datasets, messages, runEvents, runs } from './schema.ts';

export type ConversationRow = typeof conversations.$inferSelect;
export type MessageRow = typeof messages.$inferSelect;
export type RunRow = typeof runs.$inferSelect;
export type RunEventRow = typeof runEvents.$inferSelect;
export type AuditRow = typeof auditLog.$inferSelect;
export type AuditEntry = Omit<typeof auditLog.$inferInsert, 'id'>;
export type RunPatch = Partial<
  Pick<
    RunRow,
    'status' | 'stage' | 'progress' | 'lastSeq' | 'result' | 'error' | 'startedAt' | 'finishedAt'
  >
>;

export interface RunCursor {
  createdAt: number;
  id: string;
}

const progressKeys: ReadonlySet<string> = new Set(['lastSeq', 'stage', 'progress']);

/** A patch that only moves a run along (what nearly every event batch carries). */
function isProgressPatch(
  patch: RunPatch,
): patch is { lastSeq: number; stage?: NonNullable<RunRow['stage']>; progress?: number } {
  return (
    typeof patch.lastSeq === 'number' &&
    Object.keys(patch).every((k) => progressKeys.has(k)) &&
    patch.stage !== null &&
    patch.progress !== null
  );
}

let lastStamp = 0;
/** Wall-clock time, strictly increasing within the process, so "newest first" never ties. */
export function stamp(): Date {
  lastStamp = Math.max(Date.now(), lastStamp + 1);
  return new Date(lastStamp);
}

export function createRepositories(db: Db) {
  const conversationRepo = {
    create(row: { id: string; userId: string; title: string }): ConversationRow {
      const at = stamp();
      return db
        .insert(conversations)
        .values({ ...row, createdAt: at, updatedAt: at })
        .returning()
        .get();
    },
    list(userId: string, limit: number): ConversationRow[] {
      return db
        .select()
        .from(conversations)
        .where(eq(conversations.userId, userId))
        .orderBy(desc(conversations.updatedAt), desc(conversations.id))
        .limit(limit)
        .all();
    },
    byId(userId: string, id: string): ConversationRow | undefined {
      return db
        .select()
        .from(conversations)
        .where(and(eq(conversations.id, id), eq(conversations.userId, userId)))
        .get();
    },
    rename(userId: string, id: string, title: string): ConversationRow | undefined {
      return db
        .update(conversations)
        .set({ title, updatedAt: stamp() })
        .where(and(eq(conversations.id, id), eq(conversations.userId, userId)))
        .returning()
        .get();
    },
    /** Messages, runs and their events go with it (foreign keys cascade). */
    delete(userId: string, id: string): boolean {
      const res = db
        .delete(conversations)
        .where(and(eq(conversations.id, id), eq(conversations.userId, userId)))
        .run();
      return res.changes > 0;
    },
  };

  const messageRepo = {
    append(row: {
      id: string;
      conversationId: string;
      userId: string;
      role: MessageRole;
      content: string;
      runId: string | null;
    }): MessageRow {
      return db.transaction((tx) => {
        const next = tx
          .select({ position: sql<number>`coalesce(max(${messages.position}), 0) + 1` })
          .from(messages)
          .where(eq(messages.conversationId, row.conversationId))
          .get();
        const at = stamp();
        const inserted = tx
          .insert(messages)
          .values({ ...row, position: next?.position ?? 1, createdAt: at })
          .returning()
          .get();
        tx.update(conversations)
          .set({ updatedAt: at })
          .where(eq(conversations.id, row.conversationId))
          .run();
        return inserted;
      });
    },
    listByConversation(conversationId: string): MessageRow[] {
      return db
        .select()
        .from(messages)
        .where(eq(messages.conversationId, conversationId))
        .orderBy(asc(messages.position))
        .all();
    },
  };

  const runRepo = {
    create(row: {
      id: string;
      userId: string;
      conversationId: string;
      datasetId: string;
      query: string;
    }): RunRow {
      return db
        .insert(runs)
        .values({ ...row, createdAt: stamp() })
        .returning()
        .get();
    },
    /** Unscoped: for the run service, which owns every run. */
    get(id: string): RunRow | undefined {
      return db.select().from(runs).where(eq(runs.id, id)).get();
    },
    byId(userId: string, id: string): RunRow | undefined {
      return db
        .select()
        .from(runs)
        .where(and(eq(runs.id, id), eq(runs.userId, userId)))
        .get();
    },
    list(opts: {
      userId: string;
      conversationId?: string;
      limit: number;
      cursor?: RunCursor;
    }): RunRow[] {
      const { cursor } = opts;
      return db
        .select()
        .from(runs)
        .where(
          and(
            eq(runs.userId, opts.userId),
            opts.conversationId ? eq(runs.conversationId, opts.conversationId) : undefined,
            cursor
              ? or(
                  lt(runs.createdAt, new Date(cursor.createdAt)),
                  and(eq(runs.createdAt, new Date(cursor.createdAt)), lt(runs.id, cursor.id)),
                )
              : undefined,
          ),
        )
        .orderBy(desc(runs.createdAt), desc(runs.id))
        .limit(opts.limit)
        .all();
    },
    /** Every user's runs, counted per status (for the admin's metrics). */
    countByStatus(): Partial<Record<RunStatus, number>> {
      const rows = db
        .select({ status: runs.status, n: sql<number>`count(*)` })
        .from(runs)
        .groupBy(runs.status)
        .all();
      return Object.fromEntries(rows.map((r) => [r.status, r.n]));
    },
    withStatus(statuses: RunStatus[]): RunRow[] {
      return db
        .select()
        .from(runs)
        .where(inArray(runs.status, statuses))
        .orderBy(asc(runs.createdAt), asc(runs.id))
        .all();
    },
    update(id: string, patch: RunPatch): void {
      db.update(runs).set(patch).where(eq(runs.id, id)).run();
    },
  };

  // Every event of every run is written here, so the common case skips Drizzle's per-call
  // query building: two statements prepared once (see `npm run bench -w @querylane/db`).
  const client = db.$client;
  const insertEvent = client.prepare<[string, number, string, string, number]>(
    'INSERT INTO run_events (run_id, seq, type, payload, at) VALUES (?, ?, ?, ?, ?)',
  );
  const updateProgress = client.prepare<{
    id: string;
    lastSeq: number;
    stage: string | null;
    progress: number | null;
  }>(
    'UPDATE runs SET last_seq = @lastSeq, stage = coalesce(@stage, stage), ' +
      'progress = coalesce(@progress, progress) WHERE id = @id',
  );
  const appendTx = client.transaction((rows: RunEventRow[], runId: string, patch: RunPatch) => {
    for (const r of rows) insertEvent.run(r.runId, r.seq, r.type, r.payload, r.at.getTime());
    if (isProgressPatch(patch)) {
      updateProgress.run({
        id: runId,
        lastSeq: patch.lastSeq,
        stage: patch.stage ?? null,
        progress: patch.progress ?? null,
      });
    } else {
      db.update(runs).set(patch).where(eq(runs.id, runId)).run();
    }
  });

  const eventRepo = {
    /** One transaction for the batch and the run's new state: both land or neither does. */
    append(rows: RunEventRow[], runId: string, patch: RunPatch): void {
      appendTx(rows, runId, patch);
    },
    after(runId: string, afterSeq: number, limit: number): RunEventRow[] {
      return db
        .select()
        .from(runEvents)
        .where(and(eq(runEvents.runId, runId), gt(runEvents.seq, afterSeq)))
        .orderBy(asc(runEvents.seq))
        .limit(limit)
        .all();
    },
    count(runId: string): number {
      return (
        db
          .select({ n: sql<number>`count(*)` })
          .from(runEvents)
          .where(eq(runEvents.runId, runId))
          .get()?.n ?? 0
      );
    },
  };

  const datasetRepo = {
    upsert(row: {
      id: string;
      name: string;
      kind: 'demo' | 'user';
      path: string;
      tables: string[];
    }) {
      db.insert(datasets)
        .values(row)
        .onConflictDoUpdate({
          target: datasets.id,
          set: { name: row.name, kind: row.kind, path: row.path, tables: row.tables },
        })
        .run();
    },
  };

  const auditRepo = {
    append(entry: AuditEntry): AuditRow {
      return db.insert(auditLog).values(entry).returning().get();
    },
    /** Newest first; `beforeId` continues a page. */
    list(opts: {
      limit: number;
      beforeId?: number;
      kind?: AuditKind;
      reason?: RefusalKind;
    }): AuditRow[] {
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
    /** Keeps the newest `keep` rows; returns how many went. */
    prune(keep: number): number {
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

  return {
    audit: auditRepo,
    conversations: conversationRepo,
    messages: messageRepo,
    runs: runRepo,
    events: eventRepo,
    datasets: datasetRepo,
  };
}

export type Repositories = ReturnType<typeof createRepositories>;
