// What a completed run produced: columns, the kept rows, a profile per column, a summary and a
// suggested chart. Stored with the run and carried by its `completed` event.
import { z } from 'zod';

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

export const Generator = z.enum(['offline', 'model']);
export type Generator = z.infer<typeof Generator>;

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
  /** Question runs: the SQL that ran. */
  sql: z.string().optional(),
  /** Question runs: the answer in markdown, every number in it checked against the rows. */
  answer: z.string().optional(),
  /** Question runs: how the question was understood ("sum of revenue by channel, 2024"). */
  reading: z.string().optional(),
  /** Question runs: who wrote the SQL, the offline translator or the model. */
  generator: Generator.optional(),
});
export type Result = z.infer<typeof Result>;
