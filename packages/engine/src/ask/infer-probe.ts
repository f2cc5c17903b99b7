// The SQL that inference reads a dataset with: quoted names, column info, value samples and
// the distinct values of low-cardinality columns.
import type { Database } from 'better-sqlite3';

/** Text columns with at most this many distinct values get their values listed. */
export const MAX_VALUES = 100;
/** Past this many rows, a sample decides first whether a column can be low-cardinality. */
const SAMPLE_ROWS = 50_000;

export const q = (name: string): string => `"${name.replaceAll('"', '""')}"`;
/** A column as it stands in a measure's SQL: bare when it can be, quoted when it must. */
export const sqlName = (name: string): string => (/^[A-Za-z_]\w*$/.test(name) ? name : q(name));

export interface ColumnInfo {
  name: string;
  type: string;
  notnull: number;
  pk: number;
}

export function sampleValues(
  db: Database,
  table: string,
  column: string,
  limit: number,
): unknown[] {
  return db
    .prepare(`SELECT ${q(column)} FROM ${q(table)} WHERE ${q(column)} IS NOT NULL LIMIT ${limit}`)
    .pluck()
    .all();
}

/** Every distinct value with its count, most frequent first, if there are at most MAX_VALUES. */
export function lowCardinalityValues(
  db: Database,
  table: string,
  column: string,
  rows: number,
): string[] | null {
  const source =
    rows > SAMPLE_ROWS ? `(SELECT ${q(column)} FROM ${q(table)} LIMIT ${SAMPLE_ROWS})` : q(table);
  const probe = db
    .prepare(
      `SELECT count(*) FROM (SELECT DISTINCT ${q(column)} FROM ${source} LIMIT ${MAX_VALUES + 1})`,
    )
    .pluck()
    .get() as number;
  if (probe > MAX_VALUES) return null;
  const values = db
    .prepare(
      `SELECT ${q(column)} FROM ${q(table)} WHERE ${q(column)} IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT ${MAX_VALUES + 1}`,
    )
    .pluck()
    .all() as unknown[];
  if (values.length > MAX_VALUES) return null;
  return values.map(String);
}
