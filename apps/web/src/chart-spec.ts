// What a chart shows, apart from how it is drawn: a type, an x column, one or more measures and
// an optional series column. Suggests one from a result (starting from the server's suggestion)
// and turns the rows into the long form a plotting library wants. Pure, so it is tested in Node.
import type { ChartSpec, ChartType } from '@querylane/contracts';
import { MAX_CHART_MEASURES } from '@querylane/contracts';
import { numericColumns } from './result-columns.ts';
import type { RunResult } from './trpc/types.ts';

export type { ChartSpec, ChartType };

/** The types a chart can be drawn as (`none` is the hidden chart, not a choice in the list). */
export const CHART_TYPES = ['bar', 'line', 'area', 'scatter'] as const satisfies ChartType[];

export type XKind = 'temporal' | 'linear' | 'ordinal';

export const MAX_MEASURES = MAX_CHART_MEASURES;
export const MAX_BARS = 60;
export const MAX_POINTS = 5000;

type Table = Pick<RunResult, 'columns' | 'rows'> & { chart?: RunResult['chart'] };

// 2024, 2024-03, 2024-03-05, 2024-03-05T10:00 or with a space: what SQLite's date functions give.
const DATE_TEXT = /^\d{4}(-\d{2}(-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z?)?)?)?$/;

export function toDate(value: unknown): Date | null {
  if (value instanceof Date) return value;
  if (typeof value !== 'string' || !DATE_TEXT.test(value)) return null;
  const [date = '', time] = value.split(/[T ]/);
  const [y, m = '01', d = '01'] = date.split('-');
  const parsed = new Date(`${y}-${m}-${d}T${time ?? '00:00'}${time?.endsWith('Z') ? '' : 'Z'}`);
  return Number.isNaN(parsed.getTime()) ? null : parsed;
}

function columnIndex(table: Table, name: string): number {
  return table.columns.findIndex((c) => c.name === name);
}

/** How the x column's values lie on an axis: dates, numbers, or named categories. */
export function xKind(table: Table, x: string): XKind {
  const i = columnIndex(table, x);
  const values = table.rows.map((r) => r[i]).filter((v) => v !== null && v !== undefined);
  if (values.length === 0) return 'ordinal';
  if (values.every((v) => typeof v === 'number' || typeof v === 'bigint')) return 'linear';
  if (values.every((v) => toDate(v) !== null)) return 'temporal';
  return 'ordinal';
}

function distinctCount(table: Table, i: number): number {
  return new Set(table.rows.map((r) => r[i])).size;
}

/** The chart to start with, or null when the result has nothing to plot. */
export function suggestChart(table: Table): ChartSpec | null {
  if (table.rows.length < 2) return null;
  const numeric = numericColumns(table);
  // A measure that never changes draws a flat line and says nothing.
  const varying = (i: number) => numeric[i] && distinctCount(table, i) > 1;
  const serverX = table.chart ? columnIndex(table, table.chart.x) : -1;
  let xi = serverX >= 0 ? serverX : table.columns.findIndex((_, i) => !numeric[i]);
  if (xi < 0) xi = 0;
  const x = table.columns[xi]!.name;
  const measures = table.columns
    .map((c, i) => ({ name: c.name, i }))
    .filter(({ i }) => i !== xi && varying(i));
  if (measures.length === 0) return null;
  const serverY = table.chart?.y;
  const y = [
    ...measures.filter((m) => m.name === serverY),
    ...measures.filter((m) => m.name !== serverY),
  ]
    .slice(0, MAX_MEASURES)
    .map((m) => m.name);

  // When x repeats, a small categorical column beside it is probably what splits the rows.
  let series: string | null = null;
  if (distinctCount(table, xi) < table.rows.length) {
    const candidate = table.columns.findIndex(
      (_, i) => i !== xi && !numeric[i] && distinctCount(table, i) <= 12,
    );
    if (candidate >= 0) series = table.columns[candidate]!.name;
  }

  const kind = xKind(table, x);
  let type: ChartType = table.chart?.kind ?? (kind === 'ordinal' ? 'bar' : 'line');
  // A series over time reads as a line, not as bars; numbers against numbers as points.
  if (kind === 'temporal' && type === 'bar') type = 'line';
  if (kind === 'linear' && type === 'bar') type = 'scatter';
  return { type, x, y: series ? y.slice(0, 1) : y, series };
}

/** The spec with anything the result does not have removed; null when nothing is left to plot. */
export function fitSpec(table: Table, spec: ChartSpec): ChartSpec | null {
  const names = new Set(table.columns.map((c) => c.name));
  const numeric = numericColumns(table);
  const isMeasure = (name: string) => numeric[columnIndex(table, name)] === true;
  if (!names.has(spec.x)) return null;
  const y = spec.y.filter((m) => names.has(m) && m !== spec.x && isMeasure(m));
  if (y.length === 0) return null;
  const series =
    spec.series && names.has(spec.series) && spec.series !== spec.x ? spec.series : null;
  return { ...spec, y: y.slice(0, MAX_MEASURES), series };
}

export interface ChartPoint {
  x: Date | number | string;
  value: number;
  /** The measure's name, or the series value, or both: what gets a colour. */
  key: string;
}

export interface ChartData {
  points: ChartPoint[];
  xKind: XKind;
  keys: string[];
  /** Rows left out: beyond the cap or without a value to plot. */
  omitted: number;
}

function toNumber(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'bigint') return Number(v);
  return null;
}

/** One point per row and measure (the long form), capped, with the x values typed for the axis. */
export function chartData(table: Table, spec: ChartSpec): ChartData {
  const kind = spec.type === 'bar' ? 'ordinal' : xKind(table, spec.x);
  const xi = columnIndex(table, spec.x);
  const si = spec.series ? columnIndex(table, spec.series) : -1;
  const ys = spec.y.map((name) => ({ name, i: columnIndex(table, name) }));
  const cap = spec.type === 'bar' ? MAX_BARS : MAX_POINTS;
  const points: ChartPoint[] = [];
  const keys = new Set<string>();
  let used = 0;
  let omitted = 0;
  for (const row of table.rows) {
    const raw = row[xi];
    const x =
      kind === 'temporal'
        ? toDate(raw)
        : kind === 'linear'
          ? toNumber(raw)
          : raw === null || raw === undefined
            ? 'NULL'
            : String(raw);
    if (x === null || used >= cap) {
      omitted++;
      continue;
    }
    let plotted = false;
    for (const m of ys) {
      const value = toNumber(row[m.i]);
      if (value === null) continue;
      const part = si >= 0 ? String(row[si] ?? 'NULL') : null;
      const key = part === null ? m.name : ys.length > 1 ? `${part} · ${m.name}` : part;
      keys.add(key);
      points.push({ x, value, key });
      plotted = true;
    }
    if (plotted) used++;
    else omitted++;
  }
  return { points, xKind: kind, keys: [...keys], omitted };
}
