// The template answer: a short markdown statement of the finding with its key numbers, written
// from the result alone (and the reading). It is the offline answer, and the fallback whenever
// a model's answer fails review — so every number in it is a cell or derived from cells.
import type { ColumnProfile } from '@querylane/contracts';

export interface AnswerInput {
  /** How the question was understood; opens the answer. */
  reading: string;
  columns: readonly { name: string }[];
  rows: readonly unknown[][];
  rowCount: number;
  truncated: boolean;
  profile: readonly ColumnProfile[];
  /** The ranking asked for, when the rows are a top or bottom list. */
  rank?: { dir: 'desc' | 'asc'; limit: number };
}

const format = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
export const formatNumber = (n: number): string => format.format(n);
const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
const humanise = (name: string): string => name.replaceAll('_', ' ');
const isNumeric = (p: ColumnProfile | undefined): boolean =>
  p?.type === 'integer' || p?.type === 'real';
const TIME_LABEL = /^\d{4}(-(\d{2}|Q[1-4]|W\d{2})(-\d{2})?)?$/;
// Totals of averages, minimums or shares mean nothing; only these columns add up.
const additive = (name: string): boolean =>
  !/^(avg|average|min|max|share|distinct|mean)|_pct$|per_/.test(name);

function cell(value: unknown): string {
  if (typeof value === 'number') return formatNumber(value);
  if (value === null || value === undefined) return '(none)';
  return String(value);
}

/** The column that names each row: the first text or date column, or a year held as a number. */
function labelIndex(
  profile: readonly ColumnProfile[],
  columns: readonly { name: string }[],
): number {
  const text = profile.findIndex((p) => p.type === 'text' || p.type === 'date');
  if (text !== -1) return text;
  const year = columns.findIndex((c) => /(^|_)(year|id)$/.test(c.name));
  return year !== -1 && columns.length > 1 ? year : -1;
}

export function templateAnswer(input: AnswerInput): string {
  const { reading, columns, rows, rowCount, profile } = input;
  const lead = capitalise(reading);
  if (rowCount === 0) return `No rows match this question (${reading}).`;
  const label = labelIndex(profile, columns);
  // Every text column names the row ("consumer · United States"); keys are not measures.
  const labels = profile.flatMap((p, i) =>
    (p.type === 'text' || p.type === 'date') && i !== label ? [i] : [],
  );
  const numbers = profile
    .map((p, i) => ({ p, i }))
    .filter(
      ({ p, i }) => isNumeric(p) && i !== label && !/^(id|.*_id)$/i.test(columns[i]?.name ?? ''),
    )
    .map(({ i }) => i);
  const m = numbers[0];
  const shareColumn = columns.findIndex((c) => c.name === 'share_pct');
  if (rows.length === 1 && label === -1 && shareColumn !== -1) {
    return `${lead}: **${formatNumber(Number(rows[0]?.[shareColumn]))}%**.`;
  }
  if (m === undefined || (label === -1 && rows.length > 1) || columns.length > 6) {
    const shown = input.truncated ? ` (showing the first ${formatNumber(rows.length)})` : '';
    return `${lead}: **${formatNumber(rowCount)}** ${rowCount === 1 ? 'row' : 'rows'}${shown}.`;
  }
  const measure = humanise(columns[m]?.name ?? 'value');
  if (rows.length === 1) {
    const row = rows[0] as unknown[];
    const values = numbers.map((i) => `${humanise(columns[i]?.name ?? '')} **${cell(row[i])}**`);
    if (label === -1) {
      return numbers.length === 1
        ? `${lead}: **${cell(row[m])}**.`
        : `${lead}: ${values.join(', ')}.`;
    }
    const name = [label, ...labels].map((i) => `**${cell(row[i])}**`).join(' · ');
    if (input.rank) {
      const word = input.rank.dir === 'desc' ? 'highest' : 'lowest';
      return `${name} has the ${word} ${measure}: **${cell(row[m])}** (${reading}).`;
    }
    return `${lead}: ${name} with ${values.join(', ')}.`;
  }

  const values = rows.map((r) => Number(r[m]));
  const total = values.reduce((a, b) => a + b, 0);
  const shareIndex = columns.findIndex((c) => c.name === 'share_pct');
  const share = (i: number): string => {
    if (shareIndex !== -1) return ` (${oneDecimal.format(Number(rows[i]?.[shareIndex]))}%)`;
    return additive(columns[m]?.name ?? '') && total > 0 && !input.truncated
      ? ` (${oneDecimal.format((100 * (values[i] as number)) / total)}% of the total)`
      : '';
  };
  const name = (i: number) =>
    [label, ...labels].map((j) => `**${cell(rows[i]?.[j])}**`).join(' · ');
  const lines: string[] = [];
  if (input.rank) {
    lines.push(`${lead}:`, '');
    rows.slice(0, 20).forEach((r, i) => {
      lines.push(`${i + 1}. ${name(i)}: ${cell(r[m])}`);
    });
    return lines.join('\n');
  }
  let hi = 0;
  let lo = 0;
  values.forEach((v, i) => {
    if (v > (values[hi] as number)) hi = i;
    if (v < (values[lo] as number)) lo = i;
  });
  const timeLike = rows.every((r) => TIME_LABEL.test(String(r[label])));
  const shown = input.truncated
    ? `, in the first ${formatNumber(rows.length)} of ${formatNumber(rowCount)} rows`
    : '';
  if (timeLike) {
    const last = rows.length - 1;
    lines.push(
      `${lead}: from ${name(0)} (${cell(rows[0]?.[m])}) to ${name(last)} (${cell(rows[last]?.[m])})${shown}. ` +
        `The highest ${measure} is in ${name(hi)} (${cell(values[hi])}), the lowest in ${name(lo)} (${cell(values[lo])}).`,
    );
  } else {
    lines.push(
      `${lead}: ${name(hi)} has the highest ${measure} with ${cell(values[hi])}${share(hi)}; ` +
        `${name(lo)} has the lowest with ${cell(values[lo])}${share(lo)}${shown}.`,
    );
  }
  if (additive(columns[m]?.name ?? '') && !input.truncated) {
    lines.push(`Together: ${formatNumber(total)} over ${formatNumber(rows.length)} rows.`);
  }
  if (rows.length <= 12 && !timeLike) {
    lines.push('', ...rows.map((r, i) => `- ${name(i)}: ${cell(r[m])}${share(i)}`));
  }
  return lines.join('\n');
}
