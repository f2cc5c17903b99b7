// Time in a question: years, months, quarters, ranges ("between 2022 and 2023", "since 2023"),
// periods relative to the data's last date ("last year", "last 3 months") and the date column
// the question names ("signed up"). Buckets ("per month") are groups, read with the groups.
import { BuildError, back, kw, peek, type State, slot, use } from './build-state.ts';
import type { FilterUse, TimeRange } from './frame.ts';

const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

const pad = (n: number): string => String(n).padStart(2, '0');

export function yearRange(from: number, to = from): TimeRange {
  return {
    from: `${from}-01-01`,
    to: `${to + 1}-01-01`,
    label: from === to ? String(from) : `${from}–${to}`,
  };
}

export function monthRange(year: number, month: number): TimeRange {
  const next = month === 12 ? `${year + 1}-01-01` : `${year}-${pad(month + 1)}-01`;
  return { from: `${year}-${pad(month)}-01`, to: next, label: `${MONTH_NAMES[month - 1]} ${year}` };
}

export function quarterRange(year: number, quarter: number): TimeRange {
  const first = (quarter - 1) * 3 + 1;
  const to = quarter === 4 ? `${year + 1}-01-01` : `${year}-${pad(first + 3)}-01`;
  return { from: `${year}-${pad(first)}-01`, to, label: `Q${quarter} ${year}` };
}

export const monthName = (month: number): string => MONTH_NAMES[month - 1] ?? String(month);

/** A whole number that reads as a year in a question about data. */
function yearAt(st: State, i: number | undefined): number | undefined {
  const s = slot(st, i);
  if (!s || s.used || s.term.t !== 'number') return undefined;
  const n = s.term.value;
  return Number.isInteger(n) && n >= 1900 && n <= 2100 && /^\d{4}$/.test(s.words) ? n : undefined;
}

function addRange(st: State, range: TimeRange): void {
  if (st.frame.filters.some((f) => f.kind === 'range' || f.kind === 'relative')) {
    throw new BuildError('The question names two time periods; ask about one at a time.', [
      range.label,
    ]);
  }
  st.frame.filters.push({ kind: 'range', range });
}

/** Reads every time expression into filters, and the named date column into `frame.time`. */
export function readTime(st: State): void {
  const { slots } = st;
  for (let i = 0; i < slots.length; i++) {
    const s = slots[i];
    if (!s || s.used) continue;
    const term = s.term;
    if (term.t === 'time') {
      const ref = { table: term.table, column: term.column };
      if (
        st.frame.time &&
        (st.frame.time.table !== ref.table || st.frame.time.column !== ref.column)
      ) {
        throw new BuildError('The question names two different dates.', [s.words]);
      }
      st.frame.time = ref;
      use(st, i);
      continue;
    }
    const k = kw(s);
    if (k?.k === 'between') {
      const a = peek(st, i);
      const and = peek(st, a ?? slots.length);
      const b = peek(st, and ?? slots.length);
      const from = yearAt(st, a);
      const to = yearAt(st, b);
      if (from !== undefined && to !== undefined && kw(slot(st, and))?.k === 'and' && to >= from) {
        addRange(st, yearRange(from, to));
        use(st, i, a, and, b);
      }
      continue;
    }
    if (k?.k === 'relative') {
      addRelative(st, { kind: 'relative', unit: k.unit, back: k.back, span: 1, label: s.words });
      use(st, i);
      continue;
    }
    if (k?.k === 'last') {
      // "last 3 months": the 3 whole months up to the latest one in the data.
      const n = peek(st, i);
      const u = peek(st, n ?? slots.length);
      const count = slot(st, n);
      const unit = kw(slot(st, u));
      if (
        count?.term.t === 'number' &&
        Number.isInteger(count.term.value) &&
        count.term.value > 0 &&
        unit?.k === 'unit' &&
        !unit.grouped
      ) {
        addRelative(st, {
          kind: 'relative',
          unit: unit.unit,
          back: 1,
          span: count.term.value,
          label: `${s.words} ${count.words} ${slot(st, u)?.words}`,
        });
        use(st, i, n, u);
      }
      continue;
    }
    if (k?.k === 'ordinal') {
      // "first quarter of 2024"
      const u = peek(st, i);
      const y = peek(st, u ?? slots.length);
      const unit = kw(slot(st, u));
      const year = yearAt(st, y);
      if (unit?.k === 'unit' && unit.unit === 'quarter' && year !== undefined && k.n <= 4) {
        addRange(st, quarterRange(year, k.n));
        use(st, i, u, y);
      }
      continue;
    }
    if (k?.k === 'quarter') {
      const y = peek(st, i);
      const b = back(st, i);
      const year = yearAt(st, y) ?? yearAt(st, b);
      if (year !== undefined) {
        addRange(st, quarterRange(year, k.quarter));
        use(st, i, yearAt(st, y) !== undefined ? y : b);
      }
      continue;
    }
    if (k?.k === 'month') {
      const y = peek(st, i);
      const year = yearAt(st, y);
      if (year !== undefined) {
        addRange(st, monthRange(year, k.month));
        use(st, i, y);
        continue;
      }
      // "may" is also a verb: a month alone only after "in" or "during".
      const before = slots[i - 1]?.words.toLowerCase();
      if (s.words.toLowerCase() !== 'may' || before === 'in' || before === 'during') {
        st.frame.filters.push({
          kind: 'monthOfYear',
          month: k.month,
          label: `${monthName(k.month)} of any year`,
        });
        use(st, i);
      }
      continue;
    }
    const year = yearAt(st, i);
    if (year !== undefined) readYear(st, i, year);
  }
}

function addRelative(st: State, f: Extract<FilterUse, { kind: 'relative' }>): void {
  if (st.frame.filters.some((x) => x.kind === 'range' || x.kind === 'relative')) {
    throw new BuildError('The question names two time periods; ask about one at a time.', [
      f.label,
    ]);
  }
  st.frame.filters.push(f);
}

/** A year with what stands around it: "since 2023", "before 2024", "2022 to 2023", "in 2024". */
function readYear(st: State, i: number, year: number): void {
  const b = back(st, i);
  const before = kw(slot(st, b));
  // A number after "top", "more than" … is a count, not a year.
  if (before?.k === 'compare' || (before?.k === 'rank' && before.top)) return;
  const word = slot(st, b)?.words.toLowerCase() ?? '';
  const t = peek(st, i);
  const to = yearAt(st, peek(st, t ?? st.slots.length));
  if (kw(slot(st, t))?.k === 'to' && to !== undefined && to >= year) {
    addRange(st, yearRange(year, to));
    use(st, i, t, peek(st, t as number), before?.k === 'since' ? b : undefined);
    return;
  }
  if (before?.k === 'since') {
    const from = word === 'after' ? year + 1 : year;
    addRange(st, {
      from: `${from}-01-01`,
      label: word === 'after' ? `after ${year}` : `since ${year}`,
    });
    use(st, i, b);
    return;
  }
  if (before?.k === 'before') {
    const inclusive = word !== 'before' && word !== 'prior to';
    const end = inclusive ? year + 1 : year;
    addRange(st, { to: `${end}-01-01`, label: inclusive ? `up to ${year}` : `before ${year}` });
    use(st, i, b);
    return;
  }
  addRange(st, yearRange(year));
  use(st, i);
}
