// The chart a person chose for a run's result, stored with the run: a type, the x column, one or
// more measures and an optional column that splits the rows into series.
import { z } from 'zod';
import { chartTypes, MAX_CHART_MEASURES } from './sets.ts';

const ColumnName = z.string().min(1).max(200);

export const ChartSpec = z.object({
  type: z.enum(chartTypes),
  x: ColumnName,
  y: z.array(ColumnName).min(1).max(MAX_CHART_MEASURES),
  series: ColumnName.nullable(),
});
export type ChartSpec = z.infer<typeof ChartSpec>;
