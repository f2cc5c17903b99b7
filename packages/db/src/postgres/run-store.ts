// RunStore over PostgreSQL: runs, with everything runs.start writes — including the run's place
// in the queue — in one transaction. Listings and records never load the result column.
import type { Result } from '@querylane/contracts';
import { Encoded } from '@querylane/contracts/transformer';
import { NotFoundError, type RunStore } from '@querylane/runs';
import { and, asc, desc, eq, getTableColumns, inArray, sql } from 'drizzle-orm';
import { decodeResult, encode, toRunColumns, toRunRecord } from '../shared/codec.ts';
import { before, owned, pageOf, statusCounts } from '../shared/queries.ts';
import { stamp } from '../shared/stamp.ts';
import type { PgDb } from './client.ts';
import { insertMessage } from './conversation-store.ts';
import { enqueueIn } from './queue-sql.ts';
import { conversations, runEvents, runs } from './schema.ts';

const {
  result: _result,
  nodeId: _nodeId,
  claimSeq: _claimSeq,
  ...recordColumns
} = getTableColumns(runs);
const columns = { ...recordColumns, hasResult: sql<boolean>`${runs.result} is not null` };

/** PostgreSQL's foreign-key violation: the conversation went while the run was being written. */
const isMissingParent = (err: unknown) => (err as { code?: unknown } | null)?.code === '23503';

export function createRunStore(db: PgDb): RunStore {
  return {
    async start({ conversation, run, message, events }) {
      try {
        return await db.transaction(async (tx) => {
          const at = stamp();
          if (conversation) {
            await tx
              .insert(conversations)
              .values({ ...conversation, createdAt: at, updatedAt: at });
          } else {
            const [found] = await tx
              .select({ id: conversations.id })
              .from(conversations)
              .where(eq(conversations.id, run.conversationId));
            if (!found) throw new NotFoundError('Conversation', run.conversationId);
          }
          const [row] = await tx
            .insert(runs)
            .values({ ...run, createdAt: at, lastSeq: events.at(-1)?.seq ?? 0 })
            .returning(columns);
          if (!row) throw new Error(`run ${run.id} was not written`);
          await insertMessage(tx, message);
          if (events.length > 0) {
            await tx.insert(runEvents).values(
              events.map((e) => ({
                runId: e.runId,
                seq: e.seq,
                type: e.type,
                payload: encode(e),
                at: e.at,
              })),
            );
          }
          await enqueueIn(tx, {
            runId: run.id,
            userId: run.userId,
            conversationId: run.conversationId,
          });
          return toRunRecord(row);
        });
      } catch (err) {
        if (isMissingParent(err)) throw new NotFoundError('Conversation', run.conversationId);
        throw err;
      }
    },

    async get(runId) {
      const [row] = await db.select(columns).from(runs).where(eq(runs.id, runId));
      return row && toRunRecord(row);
    },

    async result(runId) {
      const [row] = await db.select({ result: runs.result }).from(runs).where(eq(runs.id, runId));
      return row?.result ? decodeResult(row.result) : null;
    },

    async encodedResult(runId) {
      const [row] = await db.select({ result: runs.result }).from(runs).where(eq(runs.id, runId));
      return row?.result ? new Encoded<Result>(row.result) : null;
    },

    async page(opts) {
      const { limit, cursor, conversationId } = opts;
      const userId = 'userId' in opts ? opts.userId : undefined;
      // Never everyone's runs: a page is one user's, or one conversation's.
      if (userId === undefined && !conversationId) {
        throw new Error('a page needs a user or a conversation');
      }
      const rows = await db
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
        .limit(limit + 1);
      return pageOf(rows.map(toRunRecord), limit);
    },

    async patch(runId, patch) {
      const cols = toRunColumns(patch);
      if (Object.keys(cols).length === 0) return;
      await db.update(runs).set(cols).where(eq(runs.id, runId));
    },

    async setChart(userId, runId, chart) {
      const [row] = await db
        .update(runs)
        .set({ chart })
        .where(owned(runs, userId, runId))
        .returning(columns);
      return row && toRunRecord(row);
    },

    async unfinished() {
      const rows = await db
        .select(columns)
        .from(runs)
        .where(inArray(runs.status, ['queued', 'running']))
        .orderBy(asc(runs.createdAt), asc(runs.id));
      return rows.map(toRunRecord);
    },

    async countByStatus() {
      const rows = await db
        .select({ status: runs.status, n: sql<string>`count(*)` })
        .from(runs)
        .groupBy(runs.status);
      return statusCounts(rows);
    },
  };
}
