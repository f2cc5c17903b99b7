// Infers a semantic model from any SQLite dataset: tables become entities (names split and
// singularised), `<singular>_id` columns and declared foreign keys become joins, numbers become
// measures, low-cardinality text becomes dimensions with their values, ISO-date text becomes time.
import type { Database } from 'better-sqlite3';
import {
  abbreviates,
  addLastWordSynonyms,
  countedThing,
  defaultAgg,
  nameFor,
  verbForms,
} from './infer-names.ts';
import { type ColumnInfo, lowCardinalityValues, q, sampleValues, sqlName } from './infer-probe.ts';
import type { Dimension, Entity, Join, Measure, SemanticModel, TimeDimension } from './model.ts';
import { singular, splitName } from './words.ts';

const ISO_DATE =
  /^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const LABEL_NAMES = ['name', 'title', 'label', 'full_name', 'display_name', 'username'];

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
