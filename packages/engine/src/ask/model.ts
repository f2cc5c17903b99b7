// The semantic model of a dataset: what its tables mean in words. Entities (one per table) hold
// measures (with their SQL), dimensions (with the values of low-cardinality columns), time
// dimensions and synonyms; joins follow foreign keys from the many side to the one side.

export type Aggregate = 'sum' | 'avg' | 'min' | 'max';

export interface Measure {
  /** Display name, e.g. "revenue". */
  name: string;
  /** Row-level SQL over the entity's columns (`quantity * unit_price`); aggregated by `agg`. */
  expr?: string;
  /**
   * A complete aggregate over the entity's columns, never aggregated again
   * (`sum(quantity * unit_price) / count(DISTINCT order_id)`). Either `expr` or `sql`.
   */
  sql?: string;
  /** What a bare mention means ("revenue by channel" → sum); null: the question must say. */
  agg: Aggregate | null;
  /** Words that name it, besides `name`. */
  synonyms: string[];
  /** Words that mean a high value of it ("expensive" for price) or a low one ("cheap"). */
  high: string[];
  low: string[];
  /** The time dimension its dates come from, `table.column`, when not the nearest one. */
  time?: string;
}

export interface Dimension {
  name: string;
  column: string;
  synonyms: string[];
  /** Every value, when the column has few (so a question can name them); else empty. */
  values: string[];
  /** Other words for a value: `{ "mobile_app": ["mobile", "app"] }`. */
  valueSynonyms: Record<string, string[]>;
}

export interface TimeDimension {
  name: string;
  column: string;
  /** Words that select it ("signed up", "joined") besides its name. */
  synonyms: string[];
  /** `year`: the column holds whole years as numbers (2019), not ISO dates. */
  grain?: 'year';
  /** First and last date in the data (ISO text), to anchor "last year". */
  min?: string;
  max?: string;
}

export interface Entity {
  /** Singular display name, e.g. "order item". */
  name: string;
  table: string;
  /** Every column of the table, also those the model does not describe. */
  columns: string[];
  /** Primary key column, if any. */
  key: string | null;
  /** The column that names one row (a product's name), shown when grouping by the entity. */
  label: string | null;
  /** Words that name it besides `name` (plural forms are matched without listing them). */
  synonyms: string[];
  /** Verbs and phrases that only place it in the question ("bought", "posted"). */
  verbs: string[];
  rowCount: number;
  measures: Measure[];
  dimensions: Dimension[];
  times: TimeDimension[];
}

/** A foreign key: every row of `from` points at one row of `to`. */
export interface Join {
  from: string;
  fromColumn: string;
  to: string;
  toColumn: string;
  /** True when the column may be NULL (a post that mentions no product). */
  nullable: boolean;
  /** True when every row of `to` has at least one row of `from` (every order has items). */
  covered: boolean;
  /** Words for the relationship ("mention" for posts → products). */
  synonyms: string[];
}

export interface SemanticModel {
  datasetId: string;
  entities: Entity[];
  joins: Join[];
  /** Where the model came from, for the reading and for diagnostics. */
  source: 'curated' | 'inferred' | 'inferred+file';
}

export function entityOf(model: SemanticModel, table: string): Entity {
  const entity = model.entities.find((e) => e.table === table);
  if (!entity) throw new Error(`semantic model has no table ${table}`);
  return entity;
}

/** Joins leaving `table` towards the tables it points at. */
export function joinsFrom(model: SemanticModel, table: string): Join[] {
  return model.joins.filter((j) => j.from === table);
}

/** The column a measure is, when its SQL is one column (bare or quoted); else undefined. */
export function plainColumn(measure: Pick<Measure, 'expr'>): string | undefined {
  const m = /^(?:([A-Za-z_]\w*)|"((?:[^"]|"")+)")$/.exec(measure.expr ?? '');
  return m ? (m[1] ?? (m[2] as string).replaceAll('""', '"')) : undefined;
}
