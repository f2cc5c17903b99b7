// The run-event contract: one zod discriminated union that the pipeline emits, the store keeps
// and the router streams. Every consumer's types are inferred from these schemas.
import { z } from 'zod';

export const Stage = z.enum(['plan', 'validate', 'execute', 'interpret', 'finalize']);
export type Stage = z.infer<typeof Stage>;

export const RunStatus = z.enum([
  'queued',
  'running',
  'completed',
  'failed',
  'cancelled',
  'interrupted',
]);
export type RunStatus = z.infer<typeof RunStatus>;

const terminalStatuses: ReadonlySet<RunStatus> = new Set([
  'completed',
  'failed',
  'cancelled',
  'interrupted',
]);
export const isTerminalStatus = (status: RunStatus): boolean => terminalStatuses.has(status);

export const RunErrorCode = z.enum([
  'SQL_EMPTY',
  'SQL_SYNTAX',
  'SQL_MULTIPLE_STATEMENTS',
  'SQL_NOT_READ_ONLY',
  'SQL_FORBIDDEN',
  'SQL_RUNTIME',
  'TIMEOUT',
  'ROW_LIMIT',
  'DATASET_NOT_FOUND',
  'DATASET_UNAVAILABLE',
  'INTERRUPTED',
  'INTERNAL',
]);
export type RunErrorCode = z.infer<typeof RunErrorCode>;

export const RunError = z.object({
  code: RunErrorCode,
  message: z.string(),
  hint: z.string().optional(),
  retryable: z.boolean(),
});
export type RunError = z.infer<typeof RunError>;

/** A result column: its name and its type (declared by SQLite, else inferred from values). */
export const Column = z.object({ name: z.string(), type: z.string() });
export type Column = z.infer<typeof Column>;

export const ValueType = z.enum(['integer', 'real', 'text', 'date', 'blob', 'null', 'mixed']);
export type ValueType = z.infer<typeof ValueType>;

export const ColumnProfile = z.object({
  name: z.string(),
  type: ValueType,
  nulls: z.number().int().nonnegative(),
  distinct: z.number().int().nonnegative(),
  min: z.union([z.number(), z.string()]).optional(),
  max: z.union([z.number(), z.string()]).optional(),
  mean: z.number().optional(),
  top: z.array(z.object({ value: z.string(), count: z.number().int().positive() })).optional(),
});
export type ColumnProfile = z.infer<typeof ColumnProfile>;

export const ChartKind = z.enum(['bar', 'line', 'scatter']);
export type ChartKind = z.infer<typeof ChartKind>;

export const Chart = z.object({ kind: ChartKind, x: z.string(), y: z.string() });
export type Chart = z.infer<typeof Chart>;

export const Result = z.object({
  columns: z.array(Column),
  /** Values in column order, exactly as SQLite returned them (blobs are Uint8Array). */
  rows: z.array(z.array(z.unknown())),
  /** Every row the query produced, also those not kept in `rows`. */
  rowCount: z.number().int().nonnegative(),
  truncated: z.boolean(),
  elapsedMs: z.number().nonnegative(),
  /** Profiled over the rows kept in `rows`. */
  profile: z.array(ColumnProfile),
  summary: z.string(),
  chart: Chart.optional(),
});
export type Result = z.infer<typeof Result>;

export const PlanStep = z.object({
  id: z.number().int(),
  parent: z.number().int(),
  detail: z.string(),
});
export type PlanStep = z.infer<typeof PlanStep>;

const base = {
  seq: z.number().int().positive(),
  runId: z.string(),
  at: z.date(),
};

export const RunEvent = z.discriminatedUnion('type', [
  z.object({ ...base, type: z.literal('started'), query: z.string(), datasetId: z.string() }),
  z.object({
    ...base,
    type: z.literal('stage'),
    stage: Stage,
    progress: z.number().int().min(0).max(100),
    message: z.string(),
  }),
  /** Waiting for a free slot; `position` 1 starts next. Sent again whenever it changes. */
  z.object({ ...base, type: z.literal('queued'), position: z.number().int().positive() }),
  z.object({ ...base, type: z.literal('plan'), steps: z.array(PlanStep) }),
  z.object({ ...base, type: z.literal('rows'), fetched: z.number().int().nonnegative() }),
  z.object({
    ...base,
    type: z.literal('retry'),
    stage: Stage,
    attempt: z.number().int().positive(),
    maxAttempts: z.number().int().positive(),
    reason: z.string(),
  }),
  z.object({ ...base, type: z.literal('completed'), result: Result }),
  z.object({ ...base, type: z.literal('failed'), error: RunError }),
  z.object({ ...base, type: z.literal('cancelled'), reason: z.string() }),
]);
export type RunEvent = z.infer<typeof RunEvent>;
export type RunEventType = RunEvent['type'];

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** What a stage emits; the run service stamps `seq`, `runId` and `at`. */
export type RunEventInput = DistributiveOmit<RunEvent, 'seq' | 'runId' | 'at'>;

const terminalTypes: ReadonlySet<RunEventType> = new Set(['completed', 'failed', 'cancelled']);
export const isTerminalEvent = (event: { type: RunEventType }): boolean =>
  terminalTypes.has(event.type);
