// What a question measures: phrases like "number of returned orders", "average price",
// "total revenue"; rankings ("top 5 … by", "which … the most", "the most expensive …");
// and comparisons with numbers ("more than 100 likes", "price over 50").
import {
  addMeasure,
  BuildError,
  back,
  isFiller,
  kw,
  measureOf,
  peek,
  type State,
  slot,
  use,
} from './build-state.ts';
import type { FilterUse, MeasureUse } from './frame.ts';
import type { Aggregate } from './model.ts';

export interface Phrase {
  use: MeasureUse;
  /** Slots the phrase covers, to mark used. */
  covers: number[];
  /** Value filters met inside the phrase ("number of *returned* orders"). */
  filters: FilterUse[];
  /** "average number of …": becomes a ratio once "per …" says per what. */
  averageCount: boolean;
}

/**
 * Reads a measure phrase starting at `i`: aggregate words, values, then its head (a measure,
 * an entity to count, a dimension to count distinct values of). Undefined when there is none.
 */
export function measurePhrase(
  st: State,
  i: number,
  opts: { bareEntity?: boolean } = {},
): Phrase | undefined {
  let agg: Aggregate | undefined;
  let count = false;
  const covers: number[] = [];
  const filters: FilterUse[] = [];
  for (let j = i; j < st.slots.length; j++) {
    const s = st.slots[j];
    // Values already read as filters ("number of *returned* orders") stay inside the phrase.
    if (s?.used && s.term.t === 'value') continue;
    if (!s || (s.used && !isFiller(s))) return undefined;
    const k = kw(s);
    if (isFiller(s)) continue;
    if (k?.k === 'count') count = true;
    else if (k?.k === 'distinct') {
      if (!count) return undefined;
    } else if (k?.k === 'agg') {
      if (agg && agg !== k.agg) return undefined;
      agg = k.agg;
    } else if (s.term.t === 'value') {
      if (!count && !agg) return undefined;
      const { table, column, value } = s.term;
      filters.push({ kind: 'values', table, column, values: [value], negate: false });
    } else if (s.term.t === 'measure') {
      const m = measureOf(st, s.term.table, s.term.measure);
      covers.push(j);
      const base = { table: s.term.table, measure: s.term.measure };
      if (m.sql)
        return agg || count
          ? undefined
          : { use: { kind: 'derived', ...base }, covers, filters, averageCount: false };
      if (count) {
        // "number of likes" is a count stored as a number: it adds up ("average number of
        // likes" averages it). A measure that does not add up cannot be counted.
        return m.agg === 'sum'
          ? {
              use: { kind: 'aggregate', ...base, agg: agg === 'avg' ? 'avg' : 'sum' },
              covers,
              filters,
              averageCount: false,
            }
          : undefined;
      }
      return {
        use: { kind: 'aggregate', ...base, agg: agg ?? null },
        covers,
        filters,
        averageCount: false,
      };
    } else if (s.term.t === 'entity') {
      // "average product price", "number of product categories": the entity only qualifies.
      const next = slot(st, peek(st, j));
      const own = next && !next.used && 'table' in next.term && next.term.table === s.term.table;
      if (own && (next.term.t === 'dimension' || (next.term.t === 'measure' && !count))) {
        covers.push(j);
        continue;
      }
      covers.push(j);
      if (count || agg === 'sum' || opts.bareEntity) {
        if (agg && agg !== 'sum' && !(agg === 'avg' && count)) return undefined;
        return {
          use: { kind: 'count', table: s.term.table },
          covers,
          filters,
          averageCount: agg === 'avg',
        };
      }
      return undefined;
    } else if (s.term.t === 'dimension') {
      covers.push(j);
      return count && !agg
        ? {
            use: { kind: 'countDistinct', table: s.term.table, column: s.term.column },
            covers,
            filters,
            averageCount: false,
          }
        : undefined;
    } else return undefined;
    covers.push(j);
  }
  return undefined;
}

function takePhrase(st: State, p: Phrase): number {
  use(st, ...p.covers);
  st.frame.filters.push(...p.filters);
  const index = addMeasure(st, p.use);
  for (const c of p.covers) st.slotMeasure.set(c, index);
  if (p.averageCount) st.pendingAverageCount = index;
  return index;
}

/** Rankings: "top 5", "the 3 cheapest", "which … the most …", "highest average price". */
export function readRank(st: State): void {
  for (let i = 0; i < st.slots.length; i++) {
    const s = st.slots[i] as (typeof st.slots)[number];
    if (s.used) continue;
    const k = kw(s);
    // A superlative adjective ranks by itself: "cheapest", "most expensive".
    const adjective =
      s.term.t === 'adjective' && /(est$|^(most|least) )/i.test(s.words) ? s.term : undefined;
    if (k?.k !== 'rank' && !adjective) continue;
    if (st.frame.rank)
      throw new BuildError('The question ranks twice; ask for one ranking at a time.', [s.words]);
    use(st, i);
    let limit: number | undefined;
    const isTop = k?.k === 'rank' && k.top === true;
    const n = isTop ? peek(st, i) : back(st, i);
    const count = slot(st, n);
    if (
      count &&
      !count.used &&
      count.term.t === 'number' &&
      Number.isInteger(count.term.value) &&
      count.term.value > 0 &&
      count.term.value <= 1000
    ) {
      limit = count.term.value;
      use(st, n);
    }
    if ((limit ?? 0) > 1 && st.slots.slice(0, i).some((x) => kw(x)?.k === 'agg')) {
      // "total revenue of the top 5 products" needs two steps: the top 5, then their total.
      throw new BuildError(
        'A total or average over the top few needs two questions: ask for the top ones first.',
      );
    }
    let dir = k?.k === 'rank' ? k.dir : (adjective?.dir ?? 'desc');
    let measure: number | undefined;
    let after = isTop && limit !== undefined ? (n as number) : i;
    if (adjective) {
      measure = addMeasure(st, {
        kind: 'aggregate',
        table: adjective.table,
        measure: adjective.measure,
        agg: null,
      });
    } else {
      const j = peek(st, after);
      const next = slot(st, j);
      if (next?.term.t === 'adjective' && !next.used) {
        // "most expensive": the adjective says which way; "least expensive" turns it round.
        const flip = next.term.dir === 'asc';
        dir = flip ? (dir === 'desc' ? 'asc' : 'desc') : dir;
        measure = addMeasure(st, {
          kind: 'aggregate',
          table: next.term.table,
          measure: next.term.measure,
          agg: null,
        });
        use(st, j);
        after = j as number;
      } else if (kw(next)?.k === 'frequent' && !next?.used) {
        // "the most common status": ranked by how many rows have each value.
        st.rankByFrequency = true;
        use(st, j);
        after = j as number;
      } else if (!isTop && j !== undefined) {
        const p = measurePhrase(st, j, { bareEntity: true });
        if (p) {
          measure = takePhrase(st, p);
          after = p.covers.at(-1) ?? after;
        }
      }
    }
    st.frame.rank = { dir, limit: limit ?? (isTop ? 10 : 1), measure: measure ?? -1 };
    if (limit !== undefined) st.frame.rank.said = true;
    st.rankLimitSaid = limit !== undefined;
    st.rankIsTop = isTop;
    st.rankAt = after;
  }
}

/** Every remaining aggregate phrase ("how many orders", "total revenue"). */
export function readAggregates(st: State): void {
  for (let i = 0; i < st.slots.length; i++) {
    const s = st.slots[i];
    if (!s || s.used) continue;
    const k = kw(s);
    if (k?.k !== 'count' && k?.k !== 'agg') continue;
    const p = measurePhrase(st, i);
    if (p) {
      takePhrase(st, p);
      continue;
    }
    // "How many tracks per album on average?": the average applies to the count before it.
    const counted = st.frame.measures.findIndex((m) => m.kind === 'count');
    if (k.k === 'agg' && k.agg === 'avg' && /^on average$/i.test(s.words) && counted !== -1) {
      st.pendingAverageCount = counted;
      use(st, i);
      continue;
    }
    // "customer count", "order total": the word after what it counts.
    const b = back(st, i);
    const before = slot(st, b);
    if (k.k === 'count' && before && !before.used && before.term.t === 'entity') {
      const index = addMeasure(st, { kind: 'count', table: before.term.table });
      st.slotMeasure.set(i, index);
      st.slotMeasure.set(b as number, index);
      use(st, i, b);
    }
  }
}

/** "more than 100 likes", "price over 50", "5 or more orders". */
export function readCompare(st: State): void {
  for (let i = 0; i < st.slots.length; i++) {
    const s = st.slots[i];
    const k = kw(s);
    if (!s || s.used || k?.k !== 'compare') continue;
    const after = /^or /.test(s.words.toLowerCase());
    const n = after ? back(st, i) : peek(st, i);
    const num = slot(st, n);
    if (!num || num.used || num.term.t !== 'number') continue;
    const value = num.term.value;
    // The thing compared: named after the number, or just before the comparison.
    let target: MeasureUse | undefined;
    let targetAt: number | undefined;
    for (const j of [peek(st, after ? i : (n as number)), back(st, after ? (n as number) : i)]) {
      const t = slot(st, j);
      if (!t) continue;
      if (t.term.t === 'measure' && !measureOf(st, t.term.table, t.term.measure).sql) {
        target = { kind: 'aggregate', table: t.term.table, measure: t.term.measure, agg: null };
      } else if (t.term.t === 'adjective') {
        target = { kind: 'aggregate', table: t.term.table, measure: t.term.measure, agg: null };
      } else if (t.term.t === 'entity' && !t.used) {
        target = { kind: 'count', table: t.term.table };
      }
      if (target) {
        targetAt = j;
        break;
      }
    }
    if (!target) continue;
    const known = st.slotMeasure.get(targetAt as number);
    if (known !== undefined) target = st.frame.measures[known] as MeasureUse;
    const alsoMeasured = st.frame.measures.some(
      (m) => JSON.stringify(m) !== JSON.stringify(target),
    );
    const rowLevel =
      target.kind === 'aggregate' &&
      target.agg === null &&
      (alsoMeasured || st.frame.groups.length === 0);
    if (!rowLevel) {
      if (st.frame.groups.length === 0) continue;
      addMeasure(st, target);
    }
    st.frame.filters.push({
      kind: 'compare',
      target,
      op: k.op,
      value,
      level: rowLevel ? 'row' : 'group',
    });
    use(st, i, n, targetAt);
  }
}
