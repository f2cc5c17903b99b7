// After every pass has read the question: the defaults that complete a frame (a count, a
// listing, an aggregate) and the refusals when the question leaves something open.
import { AmbiguityError, BuildError, measureOf, type State } from './build-state.ts';
import type { Frame, MeasureUse, Rank } from './frame.ts';
import { entityOf, plainColumn } from './model.ts';
import { describeFrame } from './reading.ts';
import { singular } from './words.ts';

export function applyDefaults(st: State): void {
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
