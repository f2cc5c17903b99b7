// How a question slices and filters: values ("returned", "not web"), groups ("by channel and
// status", "per month", "per order" as a ratio), the subject of "which …", and shares.
import { measurePhrase } from './build-measures.ts';
import {
  addMeasure,
  BuildError,
  back,
  joinPath,
  kw,
  peek,
  reaches,
  type State,
  slot,
  use,
} from './build-state.ts';
import type { FilterUse, GroupUse, MeasureUse } from './frame.ts';
import { AGENT_VERBS } from './keywords.ts';
import { entityOf } from './model.ts';
import { plural } from './reading.ts';

/** Values become filters; values of one column joined by and/or are one IN list. */
export function readValues(st: State): void {
  for (let i = 0; i < st.slots.length; i++) {
    const s = st.slots[i];
    if (!s || s.used || s.term.t !== 'value') continue;
    const { table, column } = s.term;
    const values = [s.term.value];
    const covered = [i];
    let j = i;
    for (;;) {
      const a = peek(st, j);
      const link = kw(slot(st, a));
      const b = link?.k === 'and' || link?.k === 'or' ? peek(st, a as number) : a;
      const next = slot(st, b);
      if (
        next?.term.t !== 'value' ||
        next.used ||
        next.term.table !== table ||
        next.term.column !== column
      )
        break;
      values.push(next.term.value);
      covered.push(...(b === a ? [b as number] : [a as number, b as number]));
      j = b as number;
    }
    const before = back(st, i);
    const negate = kw(slot(st, before))?.k === 'not';
    if (negate) covered.push(before as number);
    // "the web channel", "status returned": the column's own name only confirms the value.
    for (const k of [back(st, negate ? (before as number) : i), peek(st, j)]) {
      const d = slot(st, k);
      if (
        d &&
        !d.used &&
        d.term.t === 'dimension' &&
        d.term.table === table &&
        d.term.column === column
      )
        covered.push(k as number);
    }
    use(st, ...covered);
    const existing = st.frame.filters.find(
      (f): f is Extract<FilterUse, { kind: 'values' }> =>
        f.kind === 'values' && f.table === table && f.column === column,
    );
    if (existing && existing.negate === negate)
      existing.values.push(...values.filter((v) => !existing.values.includes(v)));
    else st.frame.filters.push({ kind: 'values', table, column, values, negate });
  }
}

export function readShare(st: State): void {
  for (let i = 0; i < st.slots.length; i++) {
    const s = st.slots[i];
    if (s && !s.used && kw(s)?.k === 'share') {
      st.frame.share = true;
      use(st, i);
    }
  }
}

function addGroup(st: State, g: GroupUse): void {
  if (!st.frame.groups.some((x) => JSON.stringify(x) === JSON.stringify(g)))
    st.frame.groups.push(g);
}

interface GroupAt {
  group: GroupUse;
  /** The slots it covers; the last is where the phrase ends. */
  covers: number[];
}

/**
 * The group a slot names, if it names one: a dimension, an entity, a time unit or a date column;
 * an entity followed by its own dimension ("customer segment") names the dimension.
 */
function groupAt(st: State, i: number | undefined): GroupAt | undefined {
  const s = slot(st, i);
  if (i === undefined || !s || s.used) return undefined;
  const t = s.term;
  if (t.t === 'dimension')
    return { group: { kind: 'dimension', table: t.table, column: t.column }, covers: [i] };
  if (t.t === 'entity') {
    const n = peek(st, i);
    const next = slot(st, n);
    if (
      next &&
      (next.term.t === 'dimension' || next.term.t === 'time') &&
      next.term.table === t.table
    ) {
      const inner = groupAt(st, n);
      if (inner) return { group: inner.group, covers: [i, ...inner.covers] };
    }
    return { group: { kind: 'entity', table: t.table }, covers: [i] };
  }
  if (t.t === 'keyword' && t.kw.k === 'unit')
    return { group: { kind: 'bucket', unit: t.kw.unit }, covers: [i] };
  if (t.t === 'time') {
    return {
      group: { kind: 'bucket', unit: 'day', time: { table: t.table, column: t.column } },
      covers: [i],
    };
  }
  return undefined;
}

/**
 * An average per customer is only one number when every customer has rows: otherwise it is
 * either over the customers with orders or over all of them, and the question must say.
 */
function requireCovered(st: State, from: string, per: string): void {
  const path = joinPath(st.model, from, per) ?? [];
  if (path.every((j) => j.covered)) return;
  const name = entityOf(st.model, per).name;
  throw new BuildError(
    `Not every ${name} has ${plural(entityOf(st.model, from).name)}, so an average per ${name} can be taken over all of them or only over those that have some.`,
    [],
    [
      `average per ${name}, over every ${name}`,
      `average per ${name}, over the ${plural(name)} that have ${plural(entityOf(st.model, from).name)}`,
    ],
  );
}

/**
 * "per <entity>" after an average: the entity of the averaged rows changes nothing ("average
 * likes per post"); a parent makes it a ratio ("average revenue per order" = sum / orders).
 */
function perEntity(st: State, table: string): boolean {
  const pending = st.pendingAverageCount;
  if (pending !== undefined) {
    const of = st.frame.measures[pending] as MeasureUse;
    if (of.kind !== 'count' || of.table === table || !reaches(st.model, of.table, table))
      return false;
    requireCovered(st, of.table, table);
    st.frame.measures[pending] = { kind: 'ratio', of, per: table };
    st.pendingAverageCount = undefined;
    return true;
  }
  const index = st.frame.measures.findIndex((m) => m.kind === 'aggregate' && m.agg === 'avg');
  const m = st.frame.measures[index];
  if (m?.kind !== 'aggregate') return false;
  if (m.table === table) return true;
  if (!reaches(st.model, m.table, table)) return false;
  requireCovered(st, m.table, table);
  st.frame.measures[index] = { kind: 'ratio', of: { ...m, agg: 'sum' }, per: table };
  return true;
}

/** "by channel and status", "per month", "in each segment", "monthly"; "by <measure>" ranks. */
export function readGroups(st: State): void {
  for (let i = 0; i < st.slots.length; i++) {
    const s = st.slots[i];
    if (!s || s.used) continue;
    const k = kw(s);
    if (k?.k === 'unit' && k.grouped) {
      addGroup(st, { kind: 'bucket', unit: k.unit });
      use(st, i);
      continue;
    }
    if (k?.k !== 'group') continue;
    let j = peek(st, i);
    // "written by Brazilian authors", "placed by customers": an agent, not a breakdown.
    const previous = st.slots[i - 1];
    const agent =
      s.words.toLowerCase() === 'by' &&
      (previous?.term.t === 'verb' ||
        AGENT_VERBS.has(previous?.words.toLowerCase() ?? '') ||
        slot(st, j)?.term.t === 'value');
    if (agent) {
      use(st, i);
      continue;
    }
    // "by revenue", "by number of customers": what a ranking orders by.
    const known = j === undefined ? undefined : st.slotMeasure.get(j);
    if (st.frame.rank && st.frame.rank.measure === -1) {
      if (known !== undefined) {
        st.frame.rank.measure = known;
        use(st, i);
        continue;
      }
      const p = j === undefined ? undefined : measurePhrase(st, j);
      if (p) {
        use(st, i, ...p.covers);
        st.frame.filters.push(...p.filters);
        st.frame.rank.measure = addMeasure(st, p.use);
        continue;
      }
    }
    let first = true;
    for (;;) {
      const at = groupAt(st, j);
      if (!at) break;
      const g = at.group;
      // Only "per" makes a ratio: "average price by media type" is a breakdown.
      const per = s.words.toLowerCase() === 'per';
      if (!(g.kind === 'entity' && first && per && perEntity(st, g.table))) {
        // "revenue per customer": one row per customer, or the average over customers? Decided
        // once every measure is known.
        if (g.kind === 'entity' && first && s.words.toLowerCase() === 'per') st.perEntity = g.table;
        addGroup(st, g);
      }
      use(st, i, ...at.covers);
      j = at.covers.at(-1) as number;
      first = false;
      const a = peek(st, j);
      if (kw(slot(st, a))?.k !== 'and' || !groupAt(st, peek(st, a as number))) break;
      use(st, a);
      j = peek(st, a as number);
    }
  }
  if (st.pendingAverageCount !== undefined) {
    throw new BuildError('"Average number of …" needs "per …": per what should it be averaged?');
  }
}

/** "which platform …", "what category …", "in which year …", and what follows a ranking. */
export function readSubject(st: State): void {
  for (let i = 0; i < st.slots.length; i++) {
    const s = st.slots[i];
    if (!s || s.used || kw(s)?.k !== 'which') continue;
    const at = groupAt(st, peek(st, i));
    if (!at) continue;
    addGroup(st, at.group);
    use(st, i, ...at.covers);
  }
  // "Categories with revenue over 5M", "channel revenue in 2024": a leading dimension is what
  // the question is about.
  const first = st.slots.findIndex((s) => kw(s)?.k !== 'filler');
  const lead = slot(st, first);
  if (lead && !lead.used && lead.term.t === 'dimension' && st.frame.groups.length === 0) {
    addGroup(st, { kind: 'dimension', table: lead.term.table, column: lead.term.column });
    use(st, first);
  }
  if (st.frame.rank && st.rankAt !== undefined && st.frame.groups.length === 0) {
    const at = groupAt(st, peek(st, st.rankAt));
    if (at) {
      addGroup(st, at.group);
      use(st, ...at.covers);
    }
  }
}

/** "sorted by revenue", "by category in ascending order": the order of all the rows. */
export function readSort(st: State): void {
  for (let i = 0; i < st.slots.length; i++) {
    const s = st.slots[i];
    const k = kw(s);
    if (!s || s.used || k?.k !== 'sort') continue;
    use(st, i);
    let measure = -1;
    const j = peek(st, i);
    const known = j === undefined ? undefined : st.slotMeasure.get(j);
    if (known !== undefined) measure = known;
    else if (j !== undefined && !k.dir) {
      const p = measurePhrase(st, j);
      if (p) {
        use(st, ...p.covers);
        st.frame.filters.push(...p.filters);
        // "total revenue …, sorted by revenue": the same measure, not a second one.
        const u = p.use;
        const same = st.frame.measures.findIndex(
          (m) =>
            u.kind === 'aggregate' &&
            u.agg === null &&
            m.kind === 'aggregate' &&
            m.table === u.table &&
            m.measure === u.measure,
        );
        measure = same !== -1 ? same : addMeasure(st, p.use);
      }
    }
    const dir = k.dir ?? st.frame.sort?.dir ?? 'desc';
    st.frame.sort = { measure: measure >= 0 ? measure : (st.frame.sort?.measure ?? -1), dir };
  }
}
