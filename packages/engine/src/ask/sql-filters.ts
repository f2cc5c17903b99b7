// The WHERE and HAVING parts of a planned frame: values, comparisons, foreign keys that are set,
// and time periods (absolute, relative to the data's last date, or a month of any year).
import type { ColumnRef, FilterUse, MeasureUse } from './frame.ts';
import { entityOf, type SemanticModel } from './model.ts';
import type { Plan } from './plan.ts';

export const literal = (value: string): string => `'${value.replaceAll("'", "''")}'`;

interface FilterContext {
  col: (ref: ColumnRef) => string;
  plan: Plan;
  model: SemanticModel;
  rowExpr: (m: MeasureUse) => string;
  measureExpr: (m: MeasureUse) => string;
}

export function filterSql(f: FilterUse, cx: FilterContext): string {
  if (f.kind === 'values') {
    const c = cx.col(f);
    if (f.values.length === 1)
      return `${c} ${f.negate ? '<>' : '='} ${literal(f.values[0] as string)}`;
    return `${c} ${f.negate ? 'NOT IN' : 'IN'} (${f.values.map(literal).join(', ')})`;
  }
  if (f.kind === 'compare') {
    const target = f.level === 'row' ? cx.rowExpr(f.target) : cx.measureExpr(f.target);
    return `${target} ${f.op} ${f.value}`;
  }
  if (f.kind === 'present') return `${cx.col({ table: f.from, column: f.column })} IS NOT NULL`;
  const time = f.time ?? (cx.plan.time as ColumnRef);
  const c = cx.col(time);
  const yearGrain =
    entityOf(cx.model, time.table).times.find((t) => t.column === time.column)?.grain === 'year';
  if (f.kind === 'monthOfYear') {
    if (yearGrain) return 'FALSE';
    return `strftime('%m', ${c}) = '${String(f.month).padStart(2, '0')}'`;
  }
  const range = f.kind === 'range' ? f.range : relativeRange(cx, f, time);
  const parts: string[] = [];
  if (yearGrain) {
    if (range.from) parts.push(`${c} >= ${Number(range.from.slice(0, 4))}`);
    if (range.to) parts.push(`${c} < ${Number(range.to.slice(0, 4))}`);
  } else {
    if (range.from) parts.push(`${c} >= ${literal(range.from)}`);
    if (range.to) parts.push(`${c} < ${literal(range.to)}`);
  }
  return parts.join(' AND ') || 'TRUE';
}

function relativeRange(
  cx: FilterContext,
  f: Extract<FilterUse, { kind: 'relative' }>,
  time: ColumnRef,
) {
  return resolveRelative(
    f,
    entityOf(cx.model, time.table).times.find((t) => t.column === time.column)?.max,
  );
}

/** A relative period as dates, counting back from the latest date in the data. */
/**
 * A relative period as dates. "Now" is the day after the latest date in the data (or today, if
 * that is earlier): a snapshot that ends on 2024-12-31 makes "last year" 2024 and "last 3
 * months" October to December 2024; with live data it is the calendar's meaning.
 */
export function resolveRelative(
  f: Extract<FilterUse, { kind: 'relative' }>,
  max: string | undefined,
  today: Date = new Date(),
): { from: string; to: string; label: string } {
  const end = max ? Date.parse(`${max.slice(0, 10)}T00:00:00Z`) + 86_400_000 : Number.NaN;
  const now = new Date(Math.min(Number.isNaN(end) ? today.getTime() : end, today.getTime()));
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const iso = (d: Date) => d.toISOString().slice(0, 10);
  // Units are counted from the one holding "now": back 0 is the current unit, back 1 the last.
  const first = f.back + f.span - 1;
  let from: Date;
  let to: Date;
  if (f.unit === 'year') {
    from = new Date(Date.UTC(y - first, 0, 1));
    to = new Date(Date.UTC(y - f.back + 1, 0, 1));
  } else if (f.unit === 'quarter') {
    const q = Math.floor(m / 3);
    from = new Date(Date.UTC(y, (q - first) * 3, 1));
    to = new Date(Date.UTC(y, (q - f.back + 1) * 3, 1));
  } else if (f.unit === 'month') {
    from = new Date(Date.UTC(y, m - first, 1));
    to = new Date(Date.UTC(y, m - f.back + 1, 1));
  } else {
    const days = f.unit === 'week' ? 7 : 1;
    const today0 = Date.UTC(y, m, now.getUTCDate());
    to = new Date(today0 + (1 - f.back) * days * 86_400_000);
    from = new Date(to.getTime() - f.span * days * 86_400_000);
  }
  const last = new Date(to.getTime() - 86_400_000);
  const label =
    f.unit === 'year' && f.span === 1
      ? String(from.getUTCFullYear())
      : `${iso(from)} to ${iso(last)}`;
  return { from: iso(from), to: iso(to), label };
}
