// The bench report: one row per comparison (Querylane's figure, its baseline's, the ratio),
// printed as a markdown table and kept as JSON in the repo's gitignored .bench/ folder.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface BenchRow {
  /** Which of the comparisons (1–5), with a letter for a second view of the same one. */
  id: string;
  measure: string;
  unit: string;
  querylane: number;
  baseline: number;
  baselineLabel: string;
  target?: Target;
}

/**
 * What a row has to reach: a bound on Querylane ÷ baseline (`ratio`), or on Querylane's own
 * figure in the row's unit (`value`, for latencies whose goal is absolute).
 */
export interface Target {
  on: 'ratio' | 'value';
  max?: number;
  min?: number;
}

export function formatTarget(target: Target, unit: string): string {
  const show = (n: number) => (target.on === 'ratio' ? `${n}×` : `${n} ${unit}`);
  const parts = [];
  if (target.min !== undefined) parts.push(`≥ ${show(target.min)}`);
  if (target.max !== undefined) parts.push(`≤ ${show(target.max)}`);
  return parts.join(', ');
}

/** True when the row reaches its target; undefined when it has none or no figure. */
export function meetsTarget(row: BenchRow): boolean | undefined {
  const { target } = row;
  if (!target) return undefined;
  const figure = target.on === 'ratio' ? row.querylane / row.baseline : row.querylane;
  if (!Number.isFinite(figure)) return undefined;
  return (
    (target.min === undefined || figure >= target.min) &&
    (target.max === undefined || figure <= target.max)
  );
}

/** Nearest-rank percentile of the samples (p in 0–100). */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

export function formatValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return 'n/a';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  const text = value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  return `${text} ${unit}`;
}

/** Querylane ÷ baseline: above 1 means more (time, memory, or throughput) than the baseline. */
export function formatRatio(row: Pick<BenchRow, 'querylane' | 'baseline'>): string {
  const ratio = row.querylane / row.baseline;
  if (!Number.isFinite(ratio)) return 'n/a';
  return `${ratio >= 10 ? ratio.toFixed(0) : ratio >= 1 ? ratio.toFixed(1) : ratio.toFixed(2)}×`;
}

/** The table; a row that misses its target is marked ✗ MISS, one that reaches it ✓. */
export function markdownTable(rows: readonly BenchRow[]): string {
  const verdict = (r: BenchRow) => {
    if (!r.target) return '';
    const met = meetsTarget(r);
    const mark = met === undefined ? '?' : met ? '✓' : '✗ MISS';
    return `${formatTarget(r.target, r.unit)} ${mark}`;
  };
  const lines = [
    '| # | measure | Querylane | baseline | Querylane ÷ baseline | target |',
    '|---|---|--:|--:|--:|---|',
    ...rows.map(
      (r) =>
        `| ${r.id} | ${r.measure} | ${formatValue(r.querylane, r.unit)} | ${formatValue(r.baseline, r.unit)} (${r.baselineLabel}) | ${formatRatio(r)} | ${verdict(r)} |`,
    ),
  ];
  return lines.join('\n');
}

export interface StageFile {
  source: string;
  at: string;
  rows: BenchRow[];
}

/**
 * The rows another workspace's bench wrote to .bench/<name>.json in this `npm run bench`;
 * a file older than `since` is from an earlier run and is reported as missing rather than mixed in.
 */
export function readStage(
  benchDir: string,
  name: string,
  since: Date,
): { rows: BenchRow[]; problem?: string } {
  const path = join(benchDir, `${name}.json`);
  if (!existsSync(path)) return { rows: [], problem: `${path} is missing` };
  const stage = JSON.parse(readFileSync(path, 'utf8')) as StageFile;
  if (new Date(stage.at) < since) {
    return { rows: [], problem: `${path} is from ${stage.at}, before this run` };
  }
  return { rows: stage.rows };
}
