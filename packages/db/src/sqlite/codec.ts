// Turns stored rows into domain records and back. Payloads (events, results, errors) are the
// contracts' superjson text; nothing outside this folder sees a row.
import type { Result, RunError, RunEvent } from '@querylane/contracts';
import { stringifyOnce, transformer } from '@querylane/contracts/transformer';
import type { RunRecord } from '@querylane/runs';
import type { runs } from './schema.ts';

export const encode = (value: unknown): string => transformer.stringify(value);
/** An event's payload: made once per event object, which its subscribers' frames share. */
export const encodeEvent = (event: RunEvent): string => stringifyOnce(event);
export const decodeEvent = (payload: string): RunEvent => transformer.parse<RunEvent>(payload);
export const decodeResult = (payload: string): Result => transformer.parse<Result>(payload);
const decodeError = (payload: string): RunError => transformer.parse<RunError>(payload);

/** A runs row without its result column, which listings never load. */
export type RunRow = Omit<typeof runs.$inferSelect, 'result'> & { hasResult: number | boolean };

export function toRunRecord(row: RunRow): RunRecord {
  return {
    id: row.id,
    userId: row.userId,
    conversationId: row.conversationId,
    datasetId: row.datasetId,
    kind: row.kind,
    query: row.query,
    status: row.status,
    stage: row.stage,
    progress: row.progress,
    lastSeq: row.lastSeq,
    error: row.error === null ? null : decodeError(row.error),
    hasResult: Boolean(row.hasResult),
    chart: row.chart,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
  };
}
