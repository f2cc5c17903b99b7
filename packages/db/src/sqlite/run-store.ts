// RunStore over SQLite: runs, with everything runs.start writes in one transaction. Listings and
// records never load the result column; `result()` reads it alone.
import type { Result } from '@querylane/contracts';
import { Encoded } from '@querylane/contracts/transformer';
import { NotFoundError, type RunStore } from '@querylane/runs';
import { and, asc, desc, eq, getTableColumns, inArray, sql } from 'drizzle-orm';
import { decodeResult, encode, toRunColumns, toRunRecord } from '../shared/codec.ts';
import { before, owned, pageOf, statusCounts } from '../shared/queries.ts';
import { stamp } from '../shared/stamp.ts';
import type { Db } from './client.ts';
import { insertMessage } from './conversation-store.ts';
import { conversations, runEvents, runs } from './schema.ts';

const { result: _result, ...recordColumns } = getTableColumns(runs);
const columns = { ...recordColumns, hasResult: sql<number>`${runs.result} is not null` };

export function createRunStore(db: Db): RunStore {
  const byId = (id: string) => db.select(columns).from(runs).where(eq(runs.id, id)).get();

  return {
    async start({ conversation, run, message, events }) {
      return db.transaction((tx) => {
        const at = stamp();
        if (conversation) {
          tx.insert(conversations)
            .values({ ...conversation, createdAt: at, updatedAt: at })
            .run();
        } else if (
          !tx
            .select({ id: conversations.id })
            .from(conversations)
            .where(eq(conversations.id, run.conversationId))
            .get()
        ) {
          throw new NotFoundError('Conversation', run.conversationId);
        }
        tx.insert(runs)
          .values({ ...run, createdAt: at, lastSeq: events.at(-1)?.seq ?? 0 })
          .run();
        insertMessage(tx, message);
        for (const e of events) {
          tx.insert(runEvents)
            .values({ runId: e.runId, seq: e.seq, type: e.type, payload: encode(e), at: e.at })
            .run();
        }
        const row = tx.select(columns).from(runs).where(eq(runs.id, run.id)).get();
        if (!row) throw new Error(`run ${run.id} vanished inside its own transaction`);
        return toRunRecord(row);
      });
    },

    async get(runId) {
      const row = byId(runId);
      return row && toRunRecord(row);
    },

    async result(runId) {
      const row = db.select({ result: runs.result }).from(runs).where(eq(runs.id, runId)).get();
      return row?.result ? decodeResult(row.result) : null;
    },

    async encodedResult(runId) {
      const row = db.select({ result: runs.result }).from(runs).where(eq(runs.id, runId)).get();
      return row?.result ? new Encoded<Result>(row.result) : null;
    },

    async page(opts) {
      const { limit, cursor, conversationId } = opts;
      const userId = 'userId' in opts ? opts.userId : undefined;
      // Never everyone's runs: a page is one user's, or one conversation's.
      if (userId === undefined && !conversationId)
        throw new Error('a page needs a user or a conversation');
      const rows = db
        .select(columns)
        .from(runs)
        .where(
          and(
            userId !== undefined ? eq(runs.userId, userId) : undefined,
            conversationId ? eq(runs.conversationId, conversationId) : undefined,
            cursor ? before(runs, cursor) : undefined,
          ),
        )
        .orderBy(desc(runs.createdAt), desc(runs.id))
        .limit(limit + 1)
        .all();
      return pageOf(rows.map(toRunRecord), limit);
    },

    async patch(runId, patch) {
      db.update(runs).set(toRunColumns(patch)).where(eq(runs.id, runId)).run();
    },

    async setChart(userId, runId, chart) {
      const changed = db
        .update(runs)
        .set({ chart })
        .where(owned(runs, userId, runId))
        .run().changes;
      if (changed === 0) return undefined;
      const row = byId(runId);
      return row && toRunRecord(row);
    },

    async unfinished() {
      return db
        .select(columns)
        .from(runs)
        .where(inArray(runs.status, ['queued', 'running']))
        .orderBy(asc(runs.createdAt), asc(runs.id))
        .all()
        .map(toRunRecord);
    },

    async countByStatus() {
      const rows = db
        .select({ status: runs.status, n: sql<number>`count(*)` })
        .from(runs)
        .groupBy(runs.status)
        .all();
      return statusCounts(rows);
    },
  };
}
