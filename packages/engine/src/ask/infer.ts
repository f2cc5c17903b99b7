// Infers a semantic model from any SQLite dataset: tables become entities (names split and
// singularised), `<singular>_id` columns and declared foreign keys become joins, numbers become
// measures, low-cardinality text becomes dimensions with their values, ISO-date text becomes time.
import type { Database } from 'better-sqlite3';
import type {
  Aggregate,
  Dimension,
  Entity,
  Join,
  Measure,
  SemanticModel,
  TimeDimension,
} from './model.ts';
import { singular, splitName } from './words.ts';

/** Text columns with at most this many distinct values get their values listed. */
export const MAX_VALUES = 100;
/** Past this many rows, a sample decides first whether a column can be low-cardinality. */
const SAMPLE_ROWS = 50_000;

const ISO_DATE =
  /^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const LABEL_NAMES = ['name', 'title', 'label', 'full_name', 'display_name', 'username'];
// Names that say "add me up" or "average me" (a sum of prices means nothing); anything else —
// a salary, a weight — can be either, so the question must say "total" or "average".
const ADDITIVE =
  /^(count|quantity|qty|amount|total|revenue|sales?|cost|costs|spend|spent|views?|likes?|clicks?|shares?|comments?|units?|points?|goals?|minutes|seconds|hours|distance|visits?|downloads?|impressions?|votes?|steps|calories|profit|income|expenses?|budget|gross|population|stock|inventory|orders|items|tickets|sold|fees?|tax|taxes|discount|words|pages|runs|wins|losses)$/;
const AVERAGE =
  /^(price|rate|ratio|percent|percentage|pct|score|rating|stars|age|temperature|temp|speed|average|avg|mean|margin|latitude|longitude|lat|lon|lng|grade|level|rank|year)$/;

const q = (name: string): string => `"${name.replaceAll('"', '""')}"`;
/** A column as it stands in a measure's SQL: bare when it can be, quoted when it must. */
const sqlName = (name: string): string => (/^[A-Za-z_]\w*$/.test(name) ? name : q(name));

interface ColumnInfo {
  name: string;
  type: string;
  notnull: number;
  pk: number;
}

function defaultAgg(words: readonly string[]): Aggregate | null {
  const last = words.at(-1) ?? '';
  if (AVERAGE.test(last) || words.some((w) => AVERAGE.test(w) && w !== 'total')) return 'avg';
  if (ADDITIVE.test(last) || words.some((w) => ADDITIVE.test(w))) return 'sum';
  return null;
}

/** Past forms of a word, so "released" finds `release_date`: release → released. */
function verbForms(word: string): string[] {
  if (word.length < 3 || word.endsWith('ed')) return [];
  if (word.endsWith('e')) return [`${word}d`];
  if (/[^aeiou][aeiou][bdgklmnprt]$/.test(word) && word.length <= 5)
    return [`${word}${word.at(-1)}ed`, `${word}ed`];
  return [`${word}ed`];
}

/** "dept" for department, "mgr" for manager: the same first letter, the rest in order. */
function abbreviates(short: string, name: string): boolean {
  if (short[0] !== name[0] || short.length >= name.length) return false;
  let at = 0;
  for (const ch of short) {
    at = name.indexOf(ch, at);
    if (at === -1) return false;
    at++;
  }
  return true;
}

function countedThing(words: readonly string[]): string | undefined {
  if (words.length < 2) return undefined;
  if (/^(count|number|num|total|qty)$/.test(words.at(-1) as string))
    return words.slice(0, -1).join(' ');
  if (/^(n|num|number|count|total)$/.test(words[0] as string))
    return words.slice(words[1] === 'of' ? 2 : 1).join(' ');
  return undefined;
}

function sampleValues(db: Database, table: string, column: string, limit: number): unknown[] {
  return db
    .prepare(`SELECT ${q(column)} FROM ${q(table)} WHERE ${q(column)} IS NOT NULL LIMIT ${limit}`)
    .pluck()
    .all();
}

/** Every distinct value with its count, most frequent first, if there are at most MAX_VALUES. */
function lowCardinalityValues(
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

function nameFor(column: string): { words: string[]; name: string } {
  const words = splitName(column);
  return { words, name: words.join(' ') };
}

export function inferModel(db: Database, datasetId: string): SemanticModel {
  const tables = db
    .prepare(
      "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .pluck()
    .all() as string[];
  const singularOf = new Map(tables.map((t) => [t, splitName(t).map(singular).join(' ')]));
  const bySingular = new Map<string, string>();
  for (const [table, s] of singularOf) bySingular.set(s.replaceAll(' ', '_'), table);

  const entities: Entity[] = [];
  const joins: Join[] = [];
  for (const table of tables) {
    const columns = db.pragma(`table_info(${q(table)})`) as ColumnInfo[];
    const rowCount = db
      .prepare(`SELECT count(*) FROM ${q(table)}`)
      .pluck()
      .get() as number;
    const pks = columns.filter((c) => c.pk > 0);
    const key =
      pks.length === 1
        ? (pks[0] as ColumnInfo).name
        : (columns.find((c) => c.name.toLowerCase() === 'id')?.name ?? null);
    const declared = db.pragma(`foreign_key_list(${q(table)})`) as {
      table: string;
      from: string;
      to: string | null;
    }[];
    const fkColumns = new Set<string>();
    const addJoin = (column: string, target: string, toColumn: string | null) => {
      if (target === table || !tables.includes(target) || fkColumns.has(column)) return;
      const targetKey =
        toColumn ??
        ((db.pragma(`table_info(${q(target)})`) as ColumnInfo[]).find((c) => c.pk > 0)?.name ||
          'id');
      const nulls = db
        .prepare(`SELECT count(*) FROM ${q(table)} WHERE ${q(column)} IS NULL`)
        .pluck()
        .get() as number;
      const orphans = db
        .prepare(
          `SELECT count(*) FROM ${q(target)} WHERE ${q(targetKey)} NOT IN (SELECT ${q(column)} FROM ${q(table)} WHERE ${q(column)} IS NOT NULL)`,
        )
        .pluck()
        .get() as number;
      const role = splitName(column).filter((w) => w !== 'id');
      const targetName = singularOf.get(target) ?? target;
      fkColumns.add(column);
      joins.push({
        from: table,
        fromColumn: column,
        to: target,
        toColumn: targetKey,
        nullable: nulls > 0,
        covered: orphans === 0,
        // A role name that is not the target's own name ("origin" for origin_airport_id).
        synonyms: role.join(' ') === targetName ? [] : [role.join(' ')],
      });
    };
    for (const fk of declared) addJoin(fk.from, fk.table, fk.to);
    // A key pointing back at its own table (an employee's manager) is no measure either.
    const selfKeys = new Set(declared.filter((fk) => fk.table === table).map((fk) => fk.from));
    for (const c of columns) {
      const m = /^(.+?)_?id$/i.exec(c.name);
      // Members of a composite key (assignments: emp_id + project_id) are still foreign keys.
      if (!m || c.name.toLowerCase() === 'id' || c.name === key) continue;
      const stem = splitName(m[1] as string)
        .map(singular)
        .join('_');
      // `dept_id` → departments, `emp_id` → employees: an abbreviation of exactly one table's name.
      const abbreviated = [...bySingular.entries()].filter(
        ([name, t]) => stem.length >= 3 && abbreviates(stem, name) && t !== table,
      );
      const target =
        bySingular.get(stem) ??
        (tables.includes(m[1] as string) ? (m[1] as string) : undefined) ??
        (abbreviated.length === 1 ? abbreviated[0]?.[1] : undefined);
      if (target) addJoin(c.name, target, null);
    }

    const measures: Measure[] = [];
    const dimensions: Dimension[] = [];
    const times: TimeDimension[] = [];
    let label: string | null = null;
    for (const c of columns) {
      if (c.name === key || fkColumns.has(c.name) || selfKeys.has(c.name)) continue;
      const { words, name } = nameFor(c.name);
      // `dept_name` in departments is the department's name: its first word repeats the table.
      const entityWord = (singularOf.get(table) ?? table).split(' ')[0] ?? '';
      const own =
        words.length > 1 &&
        (words[0] === entityWord || abbreviates(words[0] as string, entityWord));
      const short = own ? words.slice(1).join(' ') : undefined;
      const sample = sampleValues(db, table, c.name, 200);
      if (sample.length === 0) continue;
      const numeric = sample.every((v) => typeof v === 'number' || typeof v === 'bigint');
      if (numeric) {
        if (
          /^(year|yr)$/.test(words.at(-1) ?? '') &&
          sample.every((v) => Number.isInteger(Number(v)))
        ) {
          // A year stored as a number: grouped and filtered by year; averaged ("average birth
          // year") under its full name, never summed.
          measures.push({
            name,
            expr: sqlName(c.name),
            agg: 'avg',
            synonyms: [],
            high: [],
            low: [],
          });
          const range = db
            .prepare(`SELECT min(${q(c.name)}) AS min, max(${q(c.name)}) AS max FROM ${q(table)}`)
            .get() as { min: number; max: number };
          const synonyms = words.length > 1 ? [words.slice(0, -1).join(' ')] : [];
          times.push({
            name,
            column: c.name,
            synonyms,
            grain: 'year',
            min: `${range.min}-01-01`,
            max: `${range.max}-12-31`,
          });
          continue;
        }
        if (/(^|_)(code|zip|postal|phone)$/.test(c.name.toLowerCase())) continue;
        // "pages" for page_count, "goals" for num_goals: a count named after what it counts.
        const counted = countedThing(words);
        measures.push({
          name,
          expr: sqlName(c.name),
          agg: defaultAgg(words),
          synonyms: counted ? [counted] : [],
          high: [],
          low: [],
        });
        continue;
      }
      const texts = sample.filter((v): v is string => typeof v === 'string');
      if (texts.length !== sample.length) continue;
      if (texts.every((v) => ISO_DATE.test(v))) {
        const range = db
          .prepare(`SELECT min(${q(c.name)}) AS min, max(${q(c.name)}) AS max FROM ${q(table)}`)
          .get() as { min: string; max: string };
        const base = words.filter((w) => !/^(date|at|on|time|timestamp|datetime|day|ts)$/.test(w));
        const synonyms: string[] = [];
        if (base.length === 1) {
          const word = base[0] as string;
          // "order" alone names the orders, not their date; "ordered" still picks the date.
          if (!bySingular.has(singular(word))) synonyms.push(word);
          synonyms.push(...verbForms(word));
        } else if (base.length > 1) synonyms.push(base.join(' '));
        times.push({ name, column: c.name, synonyms, min: range.min, max: range.max });
        continue;
      }
      const values = lowCardinalityValues(db, table, c.name, rowCount);
      // A label names one row: a job title shared by many employees does not.
      const distinctEnough = values === null || values.length >= 0.9 * rowCount;
      const labelName =
        LABEL_NAMES.includes(c.name.toLowerCase()) ||
        (short !== undefined && LABEL_NAMES.includes(short));
      if (!label && labelName && distinctEnough) label = c.name;
      dimensions.push({
        name,
        column: c.name,
        synonyms: short ? [short] : [],
        values: values ?? [],
        valueSynonyms: {},
      });
    }
    if (!label) {
      const entityName = singularOf.get(table) ?? table;
      label =
        dimensions.find((d) => d.column.toLowerCase() === `${entityName.replaceAll(' ', '_')}_name`)
          ?.column ??
        dimensions.find((d) => /name|title/.test(d.column.toLowerCase()) && d.values.length === 0)
          ?.column ??
        null;
    }
    entities.push({
      name: singularOf.get(table) ?? table,
      table,
      columns: columns.map((c) => c.name),
      key,
      label,
      synonyms: [],
      verbs: [],
      rowCount,
      measures,
      dimensions,
      times,
    });
  }
  addLastWordSynonyms(entities);
  return { datasetId, entities, joins, source: 'inferred' };
}

/**
 * "price" for list_price and "item" for order_items: the last word of a multi-word name, when
 * nothing else in the dataset is called that.
 */
function addLastWordSynonyms(entities: Entity[]): void {
  const names: { name: string; synonyms: string[] }[] = [];
  for (const e of entities) names.push(e, ...e.measures, ...e.dimensions, ...e.times);
  const full = new Set(names.map((n) => n.name));
  const counts = new Map<string, number>();
  const lastOf = (name: string) => name.split(' ').at(-1) as string;
  for (const n of names) {
    const last = lastOf(n.name);
    if (last !== n.name) counts.set(last, (counts.get(last) ?? 0) + 1);
  }
  for (const n of names) {
    const last = lastOf(n.name);
    // Generic last words ("date", "id", "at") say nothing on their own.
    if (/^(id|at|on|date|time|type|count|number|value|code|name)$/.test(last)) continue;
    if (last !== n.name && counts.get(last) === 1 && !full.has(last)) n.synonyms.push(last);
  }
}
