// RunStore over SQLite: runs, with everything runs.start writes in one transaction. Listings and
// records never load the result column; `result()` reads it alone. What every run does (start,
// get, patch) goes through the prepared statements of hot-path.ts; listings through Drizzle.
import type { Result } from '@querylane/contracts';
import { Encoded } from '@querylane/contracts/transformer';
import type { RunStore } from '@querylane/runs';
import { and, asc, desc, eq, getTableColumns, inArray, sql } from 'drizzle-orm';
import { decodeResult, toRunRecord } from '../shared/codec.ts';
import { before, owned, pageOf, statusCounts } from '../shared/queries.ts';
import type { Db } from './client.ts';
import { type HotPath, LAST_SEQ } from './hot-path.ts';
import { runs } from './schema.ts';

const { result: _result, ...recordColumns } = getTableColumns(runs);
const columns = {
  ...recordColumns,
  lastSeq: sql<number>`${sql.raw(LAST_SEQ)}`.mapWith(Number),
  hasResult: sql<number>`${runs.result} is not null`,
};

export function createRunStore(db: Db, hot: HotPath): RunStore {
  return {
    async start(input) {
      return hot.startRun(input);
    },

    async get(runId) {
      return hot.getRun(runId);
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
      hot.patchRun(runId, patch);
    },

    async setChart(userId, runId, chart) {
      const changed = db
        .update(runs)
        .set({ chart })
        .where(owned(runs, userId, runId))
        .run().changes;
      if (changed === 0) return undefined;
      return hot.getRun(runId);
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
