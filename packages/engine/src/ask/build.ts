// Builds a frame from a question's terms: passes read time, values, shares, rankings, aggregates,
// groups, subjects and comparisons; what is left must fit as a plain measure, a counted entity or
// context, or the question is refused naming the words that did not fit. Never a guess.
import { readGroups, readShare, readSort, readSubject, readValues } from './build-groups.ts';
import { readAggregates, readCompare, readRank } from './build-measures.ts';
import {
  AmbiguityError,
  addMeasure,
  BuildError,
  isFiller,
  measureOf,
  peek,
  type Slot,
  type State,
  slot,
  tablesInUse,
  use,
} from './build-state.ts';
import { readTime } from './build-time.ts';
import { emptyFrame, type Frame, type MeasureUse, type Rank } from './frame.ts';

export { AmbiguityError } from './build-state.ts';

import { entityOf, plainColumn, type SemanticModel } from './model.ts';
import { describeFrame } from './reading.ts';
import { singular } from './words.ts';

// Glue that may stay unused: it never changes what is asked.
const SOFT = new Set(['filler', 'which', 'and', 'or', 'to', 'since', 'followup']);
const PRESENCE = new Set(['with', 'having', 'has', 'have', 'about', 'that have', 'that has']);

export function buildFrame(
  model: SemanticModel,
  slots: Slot[],
  opts: { fragment: boolean },
): Frame {
  const st: State = {
    model,
    slots,
    frame: emptyFrame(),
    slotMeasure: new Map(),
    fragment: opts.fragment,
  };
  for (const s of slots) if (isFiller(s)) s.used = true;
  readTime(st);
  readValues(st);
  readShare(st);
  readRank(st);
  readAggregates(st);
  readGroups(st);
  readSort(st);
  readSubject(st);
  readCompare(st);
  readLeftovers(st);
  const left = slots.filter((s) => !s.used && !(s.term.t === 'keyword' && SOFT.has(s.term.kw.k)));
  if (left.length > 0) {
    const words = left.map((s) => s.words);
    throw new BuildError(
      `I could not tell how ${words.map((w) => `"${w}"`).join(', ')} fit${words.length === 1 ? 's' : ''} the question.`,
      words,
    );
  }
  applyDefaults(st);
  return st.frame;
}

function readLeftovers(st: State): void {
  const { slots } = st;
  // Measures first: "product revenue" is revenue, with the product as context.
  slots.forEach((s, i) => {
    if (s.used || s.term.t !== 'measure') return;
    const m = measureOf(st, s.term.table, s.term.measure);
    const base = { table: s.term.table, measure: s.term.measure };
    const index = addMeasure(
      st,
      m.sql ? { kind: 'derived', ...base } : { kind: 'aggregate', ...base, agg: null },
    );
    st.slotMeasure.set(i, index);
    if (st.frame.rank?.measure === -1) st.frame.rank.measure = index;
    use(st, i);
  });
  slots.forEach((s, i) => {
    if (s.used) return;
    const t = s.term;
    if (t.t === 'verb') {
      if (!st.frame.context.includes(t.table)) st.frame.context.push(t.table);
      use(st, i);
    } else if (t.t === 'join') {
      const j = peek(st, i);
      const target = slot(st, j);
      if (target && !target.used && target.term.t === 'entity' && target.term.table === t.to) {
        st.frame.filters.push({ kind: 'present', from: t.from, column: t.column, to: t.to });
        use(st, i, j);
      } else if (!st.frame.context.includes(t.from)) {
        st.frame.context.push(t.from);
        use(st, i);
      }
    }
  });
  slots.forEach((s, i) => {
    if (s.used || s.term.t !== 'entity') return;
    const table = s.term.table;
    if (st.fragment && st.frame.filters.length > 0) {
      // "only returned orders": the orders place the filter; the previous turn says what to measure.
      if (!st.frame.context.includes(table)) st.frame.context.push(table);
      use(st, i);
      return;
    }
    if (st.frame.measures.length === 0) {
      // Rows to rank or list, or (with a breakdown) rows to count: "orders by status".
      const counted = (st.frame.groups.length > 0 && !st.frame.rank) || st.frame.share;
      if (counted) st.frame.measures.push({ kind: 'count', table });
      else if (st.frame.groups.length === 0) st.frame.groups.push({ kind: 'entity', table });
      else return;
      use(st, i);
      return;
    }
    if (st.frame.rank && st.frame.groups.length === 0) {
      st.frame.groups.push({ kind: 'entity', table });
      use(st, i);
      return;
    }
    if (tablesInUse(st).has(table)) {
      use(st, i);
      return;
    }
    // "posts with a product": rows whose foreign key to it is set.
    const before = slots[i - 1]?.words.toLowerCase() ?? '';
    const before2 = slots[i - 2]?.words.toLowerCase() ?? '';
    if (
      PRESENCE.has(before) ||
      ((before === 'a' || before === 'an' || before === 'any') && PRESENCE.has(before2))
    ) {
      const users = [...tablesInUse(st)];
      const joins = st.model.joins.filter((j) => j.to === table && users.includes(j.from));
      if (joins.length === 1) {
        const j = joins[0] as (typeof joins)[number];
        st.frame.filters.push({ kind: 'present', from: j.from, column: j.fromColumn, to: j.to });
        use(st, i);
      }
    }
    if (st.slots[i]?.used) return;
    // Any other entity only places the question ("members who borrowed books"): it is joined,
    // which also keeps only rows that have one.
    st.frame.context.push(table);
    use(st, i);
  });
  slots.forEach((s, i) => {
    if (s.used || s.term.t !== 'dimension') return;
    // "What categories are there?", "list the channels": the values, with how many rows each.
    const plain = st.frame.filters.every((f) => f.kind === 'values' || f.kind === 'range');
    if (st.frame.measures.length === 0 && st.frame.groups.length === 0 && !st.fragment && plain) {
      st.frame.groups.push({ kind: 'dimension', table: s.term.table, column: s.term.column });
      st.frame.measures.push({ kind: 'count', table: s.term.table });
      use(st, i);
    } else if (st.frame.rank && st.frame.groups.length === 0) {
      st.frame.groups.push({ kind: 'dimension', table: s.term.table, column: s.term.column });
      use(st, i);
    }
  });
}

function applyDefaults(st: State): void {
  const { frame } = st;
  const subject = frame.groups[0];
  if (st.rankByFrequency && frame.measures.length === 0 && subject?.kind === 'dimension') {
    frame.measures.push({ kind: 'count', table: subject.table });
  }
  if (
    frame.measures.length === 0 &&
    !frame.rank &&
    !frame.share &&
    frame.groups.length === 1 &&
    subject?.kind === 'entity'
  ) {
    // "customers from Germany", "which products are in Garden": the rows themselves.
    frame.list = subject.table;
    frame.groups = [];
    return;
  }
  if (frame.measures.length === 0 && !st.fragment && !frame.rank && frame.groups.length > 0) {
    // "List all categories": each value, with how many rows have it.
    const first = frame.groups[0];
    if (frame.groups.every((g) => g.kind === 'dimension') && first?.kind === 'dimension') {
      frame.measures.push({ kind: 'count', table: first.table });
    }
  }
  if (frame.measures.length === 0 && !st.fragment) {
    throw new BuildError('I could not tell what to count or measure.');
  }
  if (frame.sort && frame.sort.measure === -1) frame.sort.measure = 0;
  if (frame.sort && (frame.rank || frame.groups.length === 0)) delete frame.sort;
  if (frame.rank && frame.rank.measure === -1) {
    if (frame.measures.length === 1) frame.rank.measure = 0;
    else if (!st.fragment) throw new BuildError('I could not tell what to rank by.');
  }
  if (frame.share && frame.measures.length === 0 && !st.fragment)
    throw new BuildError('A share of what?');
  if (frame.rank && frame.groups.length === 0 && frame.rank.measure >= 0) {
    // "the highest price" with nothing to rank: the maximum of a stored number. "Top" without
    // something to rank, or the highest of a computed measure ("the highest revenue" of what?),
    // says too little.
    const m = frame.measures[frame.rank.measure] as MeasureUse;
    const stored =
      m.kind === 'aggregate' && plainColumn(measureOf(st, m.table, m.measure)) !== undefined;
    if (
      m.kind !== 'aggregate' ||
      !stored ||
      st.rankIsTop ||
      (m.agg !== null && frame.rank.limit !== 1)
    ) {
      throw new BuildError(
        'The highest or lowest of what? Name what to rank, for example "which …".',
      );
    }
    if (m.agg === null) m.agg = frame.rank.dir === 'desc' ? 'max' : 'min';
    else if (m.agg === 'sum' || m.agg === 'avg')
      throw new BuildError('The highest or lowest of what? Name what to rank.');
    frame.rank = undefined;
  }
  if (frame.rank && st.rankIsTop && !st.rankLimitSaid && !st.fragment && !pluralSubject(st)) {
    // "the top country by customers": one.
    frame.rank.limit = 1;
  } else if (frame.rank && st.rankIsTop && !st.rankLimitSaid && !st.fragment) {
    // "the top products": how many is a guess; the question must say.
    const readings = [5, 10].map((limit) =>
      describeFrame(st.model, { ...frame, rank: { ...(frame.rank as Rank), limit } }),
    );
    throw new BuildError('Say how many, for example "top 5 …".', [], readings);
  }
  if (frame.rank?.limit === 1 && !st.rankLimitSaid && !st.rankIsTop && pluralSubject(st)) {
    // "Which customers placed the most orders?": the one with the most, or a top few?
    const one = describeFrame(st.model, frame);
    const few = describeFrame(st.model, { ...frame, rank: { ...frame.rank, limit: 10 } });
    throw new BuildError(
      'Say how many you want, for example "the top 5 …" or "which one …".',
      [],
      [one, few],
    );
  }
  const per = st.perEntity;
  // Counting per something is a breakdown ("tracks per genre"); a total per something may mean
  // an average ("revenue per customer").
  // "Total quantity per genre" says "total": a breakdown. A bare "revenue per customer" does not.
  const summed = frame.measures.some(
    (m) => m.kind === 'aggregate' && m.agg === null && m.table !== per,
  );
  if (per && !frame.rank && summed) {
    const name = entityOf(st.model, per).name;
    throw new BuildError(
      `"per ${name}" can mean one row for each ${name} or an average per ${name}.`,
      [],
      [describeFrame(st.model, frame), `average per ${name}`],
    );
  }
  const ambiguous: { index: number; table: string; measure: string }[] = [];
  frame.measures.forEach((m, index) => {
    if (m.kind !== 'aggregate' || m.agg !== null) return;
    const own = frame.groups.some((g) => g.kind === 'entity' && g.table === m.table);
    const fallback = measureOf(st, m.table, m.measure).agg;
    if (fallback) m.agg = fallback;
    else if (own) m.agg = 'max';
    else ambiguous.push({ index, table: m.table, measure: m.measure });
  });
  if (ambiguous.length > 0) {
    const first = ambiguous[0] as (typeof ambiguous)[number];
    const alternatives = (['sum', 'avg'] as const).map((agg) => {
      const f = structuredClone(frame);
      for (const a of ambiguous)
        (f.measures[a.index] as Extract<MeasureUse, { kind: 'aggregate' }>).agg = agg;
      return f;
    });
    throw new AmbiguityError(
      `"${first.measure}" can be added up or averaged; say "total" or "average".`,
      alternatives,
    );
  }
  for (const f of frame.filters) {
    if (
      f.kind !== 'compare' ||
      f.level !== 'group' ||
      f.target.kind !== 'aggregate' ||
      f.target.agg !== null
    )
      continue;
    f.target.agg = measureOf(st, f.target.table, f.target.measure).agg ?? 'sum';
  }
  dedupeMeasures(frame);
}

/** "total quantity of items sold" names one measure twice: keep it once. */
function dedupeMeasures(frame: Frame): void {
  const keys = frame.measures.map((m) => JSON.stringify(m));
  const first = keys.map((k) => keys.indexOf(k));
  const kept = [...new Set(first)];
  const remap = (i: number) => (i < 0 ? i : kept.indexOf(first[i] ?? i));
  frame.measures = kept.map((i) => frame.measures[i] as MeasureUse);
  if (frame.rank) frame.rank.measure = remap(frame.rank.measure);
  if (frame.sort) frame.sort.measure = remap(frame.sort.measure);
}

/** The thing ranked was asked about in the plural ("which customers …"). */
function pluralSubject(st: State): boolean {
  const g = st.frame.groups[0];
  if (!g) return false;
  return st.slots.some((s) => {
    const t = s.term;
    const same =
      (g.kind === 'dimension' &&
        t.t === 'dimension' &&
        t.table === g.table &&
        t.column === g.column) ||
      (g.kind === 'entity' && t.t === 'entity' && t.table === g.table) ||
      (g.kind === 'bucket' && t.t === 'keyword' && t.kw.k === 'unit' && t.kw.unit === g.unit);
    const last = s.words.toLowerCase().split(' ').at(-1) ?? '';
    return same && singular(last) !== last;
  });
}
