// The frame: what a question asks, in terms of the semantic model and before any SQL. The
// translator fills one from the words, follow-ups edit the previous one, the planner turns it
// into joins and the SQL writer into a query; the reading is written from it too.
import type { CompareOp, TimeUnit } from './keywords.ts';
import type { Aggregate } from './model.ts';

export interface ColumnRef {
  table: string;
  column: string;
}

export type MeasureUse =
  /** Rows of an entity (distinct keys when the entity is not the base table). */
  | { kind: 'count'; table: string }
  | { kind: 'countDistinct'; table: string; column: string }
  /** A measure aggregated by `agg`; null until the default is applied. */
  | { kind: 'aggregate'; table: string; measure: string; agg: Aggregate | null }
  /** A measure whose SQL already aggregates. */
  | { kind: 'derived'; table: string; measure: string }
  /** `of` per one row of `per` ("average revenue per order"): sum / count of distinct keys. */
  | { kind: 'ratio'; of: MeasureUse; per: string };

export type GroupUse =
  | { kind: 'dimension'; table: string; column: string }
  | { kind: 'entity'; table: string }
  | { kind: 'bucket'; unit: TimeUnit; time?: ColumnRef };

/** A time range: ISO dates, `from` inclusive and `to` exclusive; either may be open. */
export interface TimeRange {
  from?: string;
  to?: string;
  label: string;
}

export type FilterUse =
  | { kind: 'values'; table: string; column: string; values: string[]; negate: boolean }
  | { kind: 'compare'; target: MeasureUse; op: CompareOp; value: number; level: 'row' | 'group' }
  | { kind: 'range'; range: TimeRange; time?: ColumnRef }
  /** Relative to the last date in the data: `back` units before the latest one, `span` units long. */
  | {
      kind: 'relative';
      unit: TimeUnit;
      back: number;
      span: number;
      label: string;
      time?: ColumnRef;
    }
  | { kind: 'monthOfYear'; month: number; label: string; time?: ColumnRef }
  /** Rows whose foreign key is set ("posts that mention a product"). */
  | { kind: 'present'; from: string; column: string; to: string };

export interface Rank {
  dir: 'desc' | 'asc';
  /** Rows kept; 1 for "which … the most". */
  limit: number;
  /** Index into `measures` that orders the rows. */
  measure: number;
  /** The question said how many ("top 5"); a follow-up without a number keeps the earlier one. */
  said?: boolean;
}

export interface Frame {
  measures: MeasureUse[];
  groups: GroupUse[];
  filters: FilterUse[];
  rank?: Rank;
  /** Order of all rows (no limit): by `measure` (index into `measures`), `dir`. */
  sort?: { measure: number; dir: 'desc' | 'asc' };
  /** Each row's share of the total of the first measure, in percent. */
  share: boolean;
  /** The date column the question named ("signed up"), if any. */
  time?: ColumnRef;
  /** Set when the question asks for an entity's rows themselves ("customers from Germany"). */
  list?: string;
  /** Tables the question placed itself in ("bought" → order items) without using them. */
  context: string[];
}

export const emptyFrame = (): Frame => ({
  measures: [],
  groups: [],
  filters: [],
  share: false,
  context: [],
});

/** Tables a measure reads. */
export function measureTable(m: MeasureUse): string {
  return m.kind === 'ratio' ? measureTable(m.of) : m.table;
}

export function isTimeFilter(
  f: FilterUse,
): f is Extract<FilterUse, { kind: 'range' | 'relative' | 'monthOfYear' }> {
  return f.kind === 'range' || f.kind === 'relative' || f.kind === 'monthOfYear';
}

export function cloneFrame(frame: Frame): Frame {
  return structuredClone(frame);
}
