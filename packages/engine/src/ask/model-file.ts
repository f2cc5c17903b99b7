// A semantic-model file refines an inferred model: synonyms, curated measures (with their SQL),
// labels, hidden columns, relationship words. `shop` is curated with one; a user puts one next to
// their `.db`. Validated by zod and against the schema, so a bad file is a clear error, not a crash.
import { z } from 'zod';
import type { Measure, SemanticModel } from './model.ts';

const Words = z.array(z.string().trim().min(1).max(60)).max(50);
const Name = z.string().trim().min(1).max(80);
const Sql = z.string().trim().min(1).max(2_000);

const MeasureFile = z
  .object({
    expr: Sql.optional(),
    sql: Sql.optional(),
    agg: z.enum(['sum', 'avg', 'min', 'max']).nullable().optional(),
    synonyms: Words.optional(),
    high: Words.optional(),
    low: Words.optional(),
    time: z
      .string()
      .regex(/^\w+\.\w+$/, 'use table.column')
      .optional(),
  })
  .strict()
  .refine((m) => !(m.expr && m.sql), { message: 'give either expr or sql, not both' });

const DimensionFile = z
  .object({
    name: Name.optional(),
    synonyms: Words.optional(),
    valueSynonyms: z.record(z.string().max(200), Words).optional(),
  })
  .strict();

const TimeFile = z.object({ name: Name.optional(), synonyms: Words.optional() }).strict();

const EntityFile = z
  .object({
    name: Name.optional(),
    synonyms: Words.optional(),
    verbs: Words.optional(),
    label: z.string().max(200).nullable().optional(),
    measures: z.record(Name, MeasureFile).optional(),
    dimensions: z.record(z.string().max(200), DimensionFile).optional(),
    times: z.record(z.string().max(200), TimeFile).optional(),
    hide: z.array(z.string().max(200)).max(500).optional(),
  })
  .strict();

export const SemanticModelFile = z
  .object({
    entities: z.record(z.string().max(200), EntityFile).optional(),
    joins: z
      .array(
        z
          .object({
            from: z.string().regex(/^\w+\.\w+$/, 'use table.column'),
            to: z.string().regex(/^\w+\.\w+$/, 'use table.column'),
            synonyms: Words.optional(),
          })
          .strict(),
      )
      .max(500)
      .optional(),
  })
  .strict();
export type SemanticModelFile = z.infer<typeof SemanticModelFile>;

/** A semantic-model file that cannot be used; the message says where and why. */
export class SemanticModelFileError extends Error {
  constructor(message: string, opts: { cause?: unknown } = {}) {
    super(message, opts);
    this.name = 'SemanticModelFileError';
  }
}

/** Parses a file's text; every problem is listed with its path in the file. */
export function parseModelFile(text: string, source: string): SemanticModelFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new SemanticModelFileError(`${source} is not valid JSON: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const parsed = SemanticModelFile.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`);
    throw new SemanticModelFileError(
      `${source} is not a valid semantic model: ${problems.join('; ')}`,
    );
  }
  return parsed.data;
}

/** The identifiers an expression uses that are not functions or keywords. */
function identifiers(sql: string): string[] {
  const out: string[] = [];
  // Quoted identifiers ("Unit Price") are names as written; then the bare words.
  for (const m of sql.replace(/'(?:[^']|'')*'/g, "''").matchAll(/"((?:[^"]|"")+)"/g)) {
    out.push((m[1] as string).replaceAll('""', '"'));
  }
  const withoutStrings = sql.replace(/'(?:[^']|'')*'/g, "''").replace(/"(?:[^"]|"")+"/g, ' ');
  for (const m of withoutStrings.matchAll(/\b([A-Za-z_]\w*)\b(\s*\()?/g)) {
    if (m[2]) continue;
    const word = m[1] as string;
    if (
      /^(distinct|case|when|then|else|end|and|or|not|null|is|in|as|cast|real|integer|text|numeric|between|like)$/i.test(
        word,
      )
    )
      continue;
    out.push(word);
  }
  return out;
}

/** Applies a file to a model in place; throws SemanticModelFileError naming what is wrong. */
export function applyModelFile(
  model: SemanticModel,
  file: SemanticModelFile,
  source: string,
): void {
  const fail = (where: string, why: string): never => {
    throw new SemanticModelFileError(`${source}: ${where}: ${why}`);
  };
  for (const [table, spec] of Object.entries(file.entities ?? {})) {
    const entity = model.entities.find((e) => e.table === table);
    if (!entity) fail(`entities.${table}`, `no table "${table}" in the dataset`);
    if (!entity) continue;
    const hasColumn = (c: string) => entity.columns.includes(c);
    const checkSql = (where: string, sql: string) => {
      for (const id of identifiers(sql))
        if (!hasColumn(id)) fail(where, `no column "${id}" in ${table}`);
    };
    if (spec.name) entity.name = spec.name;
    if (spec.synonyms) entity.synonyms.push(...spec.synonyms);
    if (spec.verbs) entity.verbs.push(...spec.verbs);
    if (spec.label !== undefined) {
      if (spec.label !== null && !hasColumn(spec.label))
        fail(`entities.${table}.label`, `no column "${spec.label}"`);
      entity.label = spec.label;
    }
    for (const column of spec.hide ?? []) {
      if (!hasColumn(column)) fail(`entities.${table}.hide`, `no column "${column}"`);
      entity.measures = entity.measures.filter((m) => m.expr !== column);
      entity.dimensions = entity.dimensions.filter((d) => d.column !== column);
      entity.times = entity.times.filter((t) => t.column !== column);
    }
    for (const [name, m] of Object.entries(spec.measures ?? {})) {
      const where = `entities.${table}.measures.${name}`;
      if (m.expr) checkSql(where, m.expr);
      if (m.sql) checkSql(where, m.sql);
      if (m.time) {
        const [tt, tc] = m.time.split('.');
        const known = model.entities.some(
          (e) => e.table === tt && e.times.some((t) => t.column === tc),
        );
        if (!known) fail(`${where}.time`, `"${m.time}" is not a date column of the dataset`);
      }
      let measure = entity.measures.find((x) => x.name === name || x.expr === name);
      if (!measure) {
        if (!m.expr && !m.sql) fail(where, 'a new measure needs expr or sql');
        measure = { name, agg: null, synonyms: [], high: [], low: [] } satisfies Measure;
        entity.measures.push(measure);
      }
      measure.name = name;
      if (m.expr) {
        measure.expr = m.expr;
        delete measure.sql;
      }
      if (m.sql) {
        measure.sql = m.sql;
        delete measure.expr;
      }
      if (m.agg !== undefined) measure.agg = m.agg;
      if (m.synonyms) measure.synonyms.push(...m.synonyms);
      if (m.high) measure.high.push(...m.high);
      if (m.low) measure.low.push(...m.low);
      if (m.time) measure.time = m.time;
    }
    for (const [column, d] of Object.entries(spec.dimensions ?? {})) {
      const dimension = entity.dimensions.find((x) => x.column === column);
      if (!dimension)
        fail(`entities.${table}.dimensions.${column}`, `no text column "${column}" in ${table}`);
      if (!dimension) continue;
      if (d.name) dimension.name = d.name;
      if (d.synonyms) dimension.synonyms.push(...d.synonyms);
      for (const [value, words] of Object.entries(d.valueSynonyms ?? {})) {
        if (!dimension.values.includes(value))
          fail(`entities.${table}.dimensions.${column}.valueSynonyms`, `no value "${value}"`);
        dimension.valueSynonyms[value] = [...(dimension.valueSynonyms[value] ?? []), ...words];
      }
    }
    for (const [column, t] of Object.entries(spec.times ?? {})) {
      const time = entity.times.find((x) => x.column === column);
      if (!time)
        fail(`entities.${table}.times.${column}`, `no date column "${column}" in ${table}`);
      if (!time) continue;
      if (t.name) time.name = t.name;
      if (t.synonyms) time.synonyms.push(...t.synonyms);
    }
  }
  for (const [i, j] of (file.joins ?? []).entries()) {
    const [from, fromColumn] = j.from.split('.') as [string, string];
    const [to, toColumn] = j.to.split('.') as [string, string];
    const existing = model.joins.find(
      (x) => x.from === from && x.fromColumn === fromColumn && x.to === to,
    );
    if (existing) {
      existing.synonyms.push(...(j.synonyms ?? []));
      continue;
    }
    const a = model.entities.find((e) => e.table === from);
    const b = model.entities.find((e) => e.table === to);
    if (!a?.columns.includes(fromColumn)) fail(`joins.${i}.from`, `no column ${j.from}`);
    if (!b?.columns.includes(toColumn)) fail(`joins.${i}.to`, `no column ${j.to}`);
    model.joins.push({
      from,
      fromColumn,
      to,
      toColumn,
      nullable: true,
      covered: false,
      synonyms: j.synonyms ?? [],
    });
  }
  model.source = model.source === 'curated' ? 'curated' : 'inferred+file';
}
