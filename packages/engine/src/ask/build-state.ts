// The working state of the frame builder: the question's terms as slots that passes consume,
// the frame being filled, and the helpers every pass shares (look-ahead past glue words).
import type { Frame, MeasureUse } from './frame.ts';
import type { Keyword } from './keywords.ts';
import type { Term } from './lexicon.ts';
import type { Join, Measure, SemanticModel } from './model.ts';

export interface Slot {
  term: Term;
  /** The words as written. */
  words: string;
  used: boolean;
}

/** The question cannot be read into one frame; `slots` are the words that did not fit. */
export class BuildError extends Error {
  readonly words: string[];
  /** Set when the question has several sensible readings that no frame can hold. */
  readonly readings: string[];
  constructor(message: string, words: string[] = [], readings: string[] = []) {
    super(message);
    this.name = 'BuildError';
    this.words = words;
    this.readings = readings;
  }
}

/** Two or more sensible readings; `alternatives` are the frames with the choice made. */
export class AmbiguityError extends Error {
  readonly alternatives: Frame[];
  constructor(message: string, alternatives: Frame[]) {
    super(message);
    this.name = 'AmbiguityError';
    this.alternatives = alternatives;
  }
}

export interface State {
  model: SemanticModel;
  slots: Slot[];
  frame: Frame;
  /** Which measure a slot's phrase produced, so "by <that phrase>" can point at it. */
  slotMeasure: Map<number, number>;
  /** "average number of orders": waits for "per customer". */
  pendingAverageCount?: number;
  /** "per customer" read as a breakdown: also an average per customer, unless an average says. */
  perEntity?: string;
  /** "most common …": the ranking counts rows of its subject's table. */
  rankByFrequency?: boolean;
  /** The question said how many to rank ("top 5", "the 3 cheapest"). */
  rankLimitSaid?: boolean;
  /** The rank was "top" or "bottom" (a list), not a superlative. */
  rankIsTop?: boolean;
  /** Where the rank's words stand, to find its subject. */
  rankAt?: number;
  /** A follow-up fragment may lack a measure; the previous turn supplies it. */
  fragment: boolean;
}

export function kw(slot: Slot | undefined): Keyword | undefined {
  return slot?.term.t === 'keyword' ? slot.term.kw : undefined;
}

export const isFiller = (slot: Slot | undefined): boolean => kw(slot)?.k === 'filler';

/** The next slot after `i` that is not a filler word. */
export function peek(st: State, i: number): number | undefined {
  for (let j = i + 1; j < st.slots.length; j++) if (!isFiller(st.slots[j])) return j;
  return undefined;
}

/** The previous slot before `i` that is not a filler word. */
export function back(st: State, i: number): number | undefined {
  for (let j = i - 1; j >= 0; j--) if (!isFiller(st.slots[j])) return j;
  return undefined;
}

export function slot(st: State, i: number | undefined): Slot | undefined {
  return i === undefined ? undefined : st.slots[i];
}

export function use(st: State, ...indexes: (number | undefined)[]): void {
  for (const i of indexes) if (i !== undefined) (st.slots[i] as Slot).used = true;
}

export function measureOf(st: State, table: string, name: string): Measure {
  const m = st.model.entities.find((e) => e.table === table)?.measures.find((x) => x.name === name);
  if (!m) throw new Error(`no measure ${table}.${name}`);
  return m;
}

/** Adds a measure use (once) and returns its index. */
export function addMeasure(st: State, m: MeasureUse): number {
  const same = st.frame.measures.findIndex((x) => JSON.stringify(x) === JSON.stringify(m));
  if (same !== -1) return same;
  st.frame.measures.push(m);
  return st.frame.measures.length - 1;
}

/** The joins from `from` to `to` along foreign keys (shortest), or undefined. */
export function joinPath(model: SemanticModel, from: string, to: string): Join[] | undefined {
  const via = new Map<string, Join[]>([[from, []]]);
  const queue = [from];
  while (queue.length > 0) {
    const t = queue.shift() as string;
    if (t === to) return via.get(t);
    for (const j of model.joins) {
      if (j.from === t && !via.has(j.to)) {
        via.set(j.to, [...(via.get(t) ?? []), j]);
        queue.push(j.to);
      }
    }
  }
  return undefined;
}

/** True when every row of `from` reaches one row of `to` along foreign keys (or they are equal). */
export function reaches(model: SemanticModel, from: string, to: string): boolean {
  const seen = new Set([from]);
  const queue = [from];
  while (queue.length > 0) {
    const t = queue.shift() as string;
    if (t === to) return true;
    for (const j of model.joins) {
      if (j.from === t && !seen.has(j.to)) {
        seen.add(j.to);
        queue.push(j.to);
      }
    }
  }
  return false;
}

/** Tables the frame already reads, for deciding whether a mentioned entity adds anything. */
export function tablesInUse(st: State): Set<string> {
  const out = new Set<string>();
  const addMeasureTables = (m: MeasureUse) => {
    if (m.kind === 'ratio') {
      addMeasureTables(m.of);
      out.add(m.per);
    } else out.add(m.table);
  };
  for (const m of st.frame.measures) addMeasureTables(m);
  for (const g of st.frame.groups) {
    if (g.kind !== 'bucket') out.add(g.table);
    else if (g.time) out.add(g.time.table);
  }
  for (const f of st.frame.filters) {
    if (f.kind === 'values') out.add(f.table);
    else if (f.kind === 'compare') addMeasureTables(f.target);
    else if (f.kind === 'present') out.add(f.from);
    else if (f.time) out.add(f.time.table);
  }
  if (st.frame.time) out.add(st.frame.time.table);
  for (const t of st.frame.context) out.add(t);
  return out;
}
