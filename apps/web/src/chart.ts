// Turns a result and its suggested chart (`{ kind, x, y }`) into plot-ready points and axes.
// Kept apart from the SVG so the scaling rules are testable and the component stays drawing-only.
import type { ResultChart, RunResult } from './trpc/types.ts';

export const MAX_BARS = 40;
export const MAX_POINTS = 2000;

export interface ChartPoint {
  label: string;
  x: number;
  y: number;
}

export interface Tick {
  value: number;
  label: string;
}

export interface ChartModel {
  kind: ResultChart['kind'];
  xName: string;
  yName: string;
  /** For bars and for lines over non-numeric x, `x` is the category's index. */
  categorical: boolean;
  points: ChartPoint[];
  /** Rows left out: beyond the cap, or without a plottable value. */
  omitted: number;
  xDomain: [number, number];
  yDomain: [number, number];
  yTicks: Tick[];
  xTicks: Tick[];
}

function toNumber(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'bigint') return Number(value);
  return null;
}

function niceStep(rough: number): number {
  const exp = 10 ** Math.floor(Math.log10(rough));
  const f = rough / exp;
  const nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
  return nice * exp;
}

const tickFormat = new Intl.NumberFormat('en-US', {
  notation: 'compact',
  maximumFractionDigits: 2,
});

/** Round-numbered ticks covering [min, max]; the domain widens to the outer ticks. */
export function niceTicks(min: number, max: number, count = 5): Tick[] {
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    return niceTicks(min - pad, max + pad, count);
  }
  const step = niceStep((max - min) / Math.max(1, count - 1));
  const first = Math.floor(min / step);
  const last = Math.max(first + 1, Math.ceil(max / step));
  const ticks: Tick[] = [];
  for (let i = first; i <= last; i++) {
    // Multiplying an integer index (not summing steps) keeps floats from drifting; rounding to
    // 12 digits removes what is left (0.15000000000000002).
    const value = Number((i * step).toPrecision(12));
    ticks.push({ value, label: tickFormat.format(value) });
  }
  return ticks;
}

export function buildChartModel(result: RunResult, chart: ResultChart): ChartModel | null {
  const xi = result.columns.findIndex((c) => c.name === chart.x);
  const yi = result.columns.findIndex((c) => c.name === chart.y);
  if (xi < 0 || yi < 0) return null;

  const numericX =
    chart.kind === 'scatter' ||
    (chart.kind === 'line' && result.rows.every((r) => toNumber(r[xi]) !== null));
  const cap = chart.kind === 'bar' ? MAX_BARS : MAX_POINTS;
  const points: ChartPoint[] = [];
  for (const row of result.rows) {
    if (points.length >= cap) break;
    const y = toNumber(row[yi]);
    const rawX = row[xi];
    if (y === null) continue;
    if (numericX) {
      const x = toNumber(rawX);
      if (x === null) continue;
      points.push({ label: String(rawX), x, y });
    } else {
      points.push({
        label: rawX === null || rawX === undefined ? 'NULL' : String(rawX),
        x: points.length,
        y,
      });
    }
  }
  if (points.length === 0) return null;

  const ys = points.map((p) => p.y);
  // Bars grow from zero, or their lengths lie; lines and scatters may zoom to their range.
  const yMin = chart.kind === 'bar' ? Math.min(0, ...ys) : Math.min(...ys);
  const yMax = chart.kind === 'bar' ? Math.max(0, ...ys) : Math.max(...ys);
  const yTicks = niceTicks(yMin, yMax);
  const yDomain: [number, number] = [yTicks[0]!.value, yTicks[yTicks.length - 1]!.value];

  let xDomain: [number, number];
  let xTicks: Tick[];
  if (numericX) {
    const xs = points.map((p) => p.x);
    xTicks = niceTicks(Math.min(...xs), Math.max(...xs));
    xDomain = [xTicks[0]!.value, xTicks[xTicks.length - 1]!.value];
  } else {
    xDomain = [0, Math.max(1, points.length - 1)];
    const every = Math.max(1, Math.ceil(points.length / 10));
    xTicks = points.filter((_, i) => i % every === 0).map((p) => ({ value: p.x, label: p.label }));
  }

  return {
    kind: chart.kind,
    xName: chart.x,
    yName: chart.y,
    categorical: !numericX,
    points,
    omitted: result.rows.length - points.length,
    xDomain,
    yDomain,
    yTicks,
    xTicks,
  };
}
