// Turns stored rows into domain records and back, for every dialect: both schemas name and type
// their columns alike, so one codec serves them. Payloads (events, results, errors) are the
// contracts' superjson text; nothing outside this package sees a row.
import type {
  ChartSpec,
  Result,
  RunError,
  RunEvent,
  RunKind,
  RunStatus,
  Stage,
} from '@querylane/contracts';
import { transformer } from '@querylane/contracts/transformer';
import type { RunPatch, RunRecord } from '@querylane/runs';

export const encode = (value: unknown): string => transformer.stringify(value);
export const decodeEvent = (payload: string): RunEvent => transformer.parse<RunEvent>(payload);
export const decodeResult = (payload: string): Result => transformer.parse<Result>(payload);
const decodeError = (payload: string): RunError => transformer.parse<RunError>(payload);

/** A runs row without its result column (listings never load it), in either dialect. */
export interface RunRow {
  id: string;
  userId: string;
  conversationId: string;
  datasetId: string;
  kind: RunKind;
  query: string;
  status: RunStatus;
  stage: Stage | null;
  progress: number;
  lastSeq: number;
  error: string | null;
  hasResult: number | boolean;
  chart: ChartSpec | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

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

/** The runs-table columns a patch sets, with payloads encoded. */
export function toRunColumns(patch: RunPatch) {
  const { result, error, ...plain } = patch;
  return {
    ...plain,
    ...(result === undefined ? {} : { result: result === null ? null : encode(result) }),
    ...(error === undefined ? {} : { error: error === null ? null : encode(error) }),
  };
}
