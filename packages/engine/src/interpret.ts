// The interpret stage: profiles result columns, writes a short plain-language summary and
// suggests a chart. Pure functions over the kept rows; deterministic for the same input.
import type { Chart, ColumnProfile, ValueType } from '@querylane/contracts';

const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const TOP_N = 5;

function isIsoDate(value: string): boolean {
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const month = Number(m[2]);
  const day = Number(m[3]);
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

type Kind = Exclude<ValueType, 'null' | 'mixed'>;

function kindOf(value: unknown): Kind | 'null' | 'other' {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'real';
  if (typeof value === 'bigint') return 'integer';
  if (typeof value === 'string') return isIsoDate(value) ? 'date' : 'text';
  if (value instanceof Uint8Array) return 'blob';
  return 'other';
}

function combine(kinds: ReadonlySet<Kind | 'other'>): ValueType {
  if (kinds.size === 0) return 'null';
  if (kinds.has('other')) return 'mixed';
  const only = (...allowed: Kind[]) => [...kinds].every((k) => allowed.includes(k as Kind));
  if (only('integer')) return 'integer';
  if (only('integer', 'real')) return 'real';
  if (only('date')) return 'date';
  // Some ISO dates among other text is still text.
  if (only('text', 'date')) return 'text';
  if (only('blob')) return 'blob';
  return 'mixed';
}

/** A value as a string for distinct counting and top values; typed so 1 and '1' differ. */
function keyOf(value: unknown): string {
  if (value instanceof Uint8Array) return `b:${Buffer.from(value).toString('base64')}`;
  return `${typeof value}:${String(value)}`;
}

const byCountThenValue = (a: [string, number], b: [string, number]): number =>
  b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

function profileColumn(name: string, index: number, rows: readonly unknown[][]): ColumnProfile {
  const kinds = new Set<Kind | 'other'>();
  const distinct = new Set<string>();
  let nulls = 0;
  for (const row of rows) {
    const value = row[index];
    const kind = kindOf(value);
    if (kind === 'null') {
      nulls++;
      continue;
    }
    kinds.add(kind);
    distinct.add(keyOf(value));
  }
  const type = combine(kinds);
  const profile: ColumnProfile = { name, type, nulls, distinct: distinct.size };
  const values = rows.map((row) => row[index]).filter((v) => v !== null && v !== undefined);

  if (type === 'integer' || type === 'real') {
    const numbers = values.map(Number);
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    let sum = 0;
    for (const n of numbers) {
      if (n < min) min = n;
      if (n > max) max = n;
      sum += n;
    }
    profile.min = min;
    profile.max = max;
    profile.mean = sum / numbers.length;
  }
  if (type === 'date' || type === 'text') {
    const strings = values as string[];
    if (type === 'date') {
      // ISO dates order correctly as strings.
      const sorted = [...strings].sort();
      profile.min = sorted[0];
      profile.max = sorted[sorted.length - 1];
    }
    const counts = new Map<string, number>();
    for (const s of strings) counts.set(s, (counts.get(s) ?? 0) + 1);
    profile.top = [...counts]
      .sort(byCountThenValue)
      .slice(0, TOP_N)
      .map(([value, count]) => ({ value, count }));
  }
  return profile;
}

/** Profiles each column over `rows` (values in column order). */
export function profileColumns(
  columns: readonly { name: string }[],
  rows: readonly unknown[][],
): ColumnProfile[] {
  return columns.map((column, index) => profileColumn(column.name, index, rows));
}

const numberFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const formatNumber = (n: number): string => numberFormat.format(n);
const plural = (n: number, word: string): string =>
  `${formatNumber(n)} ${word}${n === 1 ? '' : 's'}`;

const isNumeric = (p: ColumnProfile): boolean => p.type === 'integer' || p.type === 'real';
// Identifiers carry no story worth a sentence ("id ranges from 1 to 12").
const isIdLike = (p: ColumnProfile): boolean => /^(id|.*_id)$/i.test(p.name);

export interface SummaryInput {
  rows: readonly unknown[][];
  rowCount: number;
  truncated: boolean;
  profile: readonly ColumnProfile[];
}

/** One to three sentences describing the result in plain language. */
export function summarize(result: SummaryInput): string {
  const { rows, rowCount, truncated, profile } = result;
  if (rowCount === 0) {
    return `The query returned no rows (${plural(profile.length, 'column')}).`;
  }
  const only = profile[0];
  const value = rows[0]?.[0];
  if (rowCount === 1 && profile.length === 1 && only && typeof value === 'number') {
    return `1 row × 1 column: ${only.name} = ${formatNumber(value)}.`;
  }

  const sentences = [
    truncated
      ? `${plural(rowCount, 'row')} × ${plural(profile.length, 'column')}, showing the first ${formatNumber(rows.length)} of ${formatNumber(rowCount)} rows.`
      : `${plural(rowCount, 'row')} × ${plural(profile.length, 'column')}.`,
  ];

  const numeric = profile.find((p) => isNumeric(p) && !isIdLike(p) && p.min !== undefined);
  if (numeric && typeof numeric.min === 'number' && typeof numeric.max === 'number') {
    sentences.push(
      numeric.min === numeric.max
        ? `${numeric.name} is ${formatNumber(numeric.min)} in every row.`
        : `${numeric.name} ranges from ${formatNumber(numeric.min)} to ${formatNumber(numeric.max)} (mean ${formatNumber(numeric.mean ?? 0)}).`,
    );
  }

  const text = profile.find((p) => p.type === 'text' && p.top?.length);
  const date = profile.find((p) => p.type === 'date' && p.min !== undefined);
  const topValue = text?.top?.[0];
  if (text && topValue && topValue.count > 1) {
    sentences.push(
      `Most common ${text.name}: ${topValue.value} (${plural(topValue.count, 'row')}).`,
    );
  } else if (date && date.min !== date.max) {
    sentences.push(`${date.name} spans ${date.min} to ${date.max}.`);
  } else if (text && text.distinct > 1) {
    sentences.push(`${text.name} has ${formatNumber(text.distinct)} distinct values.`);
  }
  return sentences.join(' ');
}

/**
 * A chart for two-column results: text × number → bar, date × number → line (dates on x),
 * number × number → scatter. Nothing when the x column has fewer than two distinct values
 * (which covers empty and single-row results) or when y is an identifier, not a measure.
 */
export function suggestChart(profile: readonly ColumnProfile[]): Chart | undefined {
  const labels = profile.filter((p) => p.type === 'text' || p.type === 'date');
  const measures = profile.filter((p) => isNumeric(p) && !isIdLike(p));
  // The usual GROUP BY shape: one label and one or more measures; the first measure is drawn.
  const ids = profile.filter((p) => isNumeric(p) && isIdLike(p));
  const onlyThese = labels.length + measures.length + ids.length === profile.length;
  if (onlyThese && labels.length === 1 && measures.length >= 1) {
    const [x, y] = [labels[0] as ColumnProfile, measures[0] as ColumnProfile];
    if (x.distinct < 2) return undefined;
    return { kind: x.type === 'date' ? 'line' : 'bar', x: x.name, y: y.name };
  }
  if (profile.length === 2 && measures.length === 2) {
    const [x, y] = measures as [ColumnProfile, ColumnProfile];
    return x.distinct >= 2 ? { kind: 'scatter', x: x.name, y: y.name } : undefined;
  }
  return undefined;
}
