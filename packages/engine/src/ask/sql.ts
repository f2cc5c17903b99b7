// Writes the SQL of a planned frame: short table aliases, measures with their model SQL,
// groups, filters (WHERE for rows, HAVING for groups), shares by window, ranking and limits.
// The output is one read-only SELECT over the dataset's real tables and columns.
import { BuildError } from './build-state.ts';
import type { ColumnRef, Frame, GroupUse, MeasureUse } from './frame.ts';
import { type Entity, entityOf, plainColumn, type SemanticModel } from './model.ts';
import type { Plan } from './plan.ts';
import { filterSql } from './sql-filters.ts';
import { splitName } from './words.ts';

const RESERVED = new Set([
  'as',
  'at',
  'by',
  'do',
  'if',
  'in',
  'is',
  'no',
  'of',
  'on',
  'or',
  'to',
  'all',
  'and',
  'asc',
  'end',
  'for',
  'key',
  'not',
  'set',
  'row',
]);

export const ident = (name: string): string =>
  /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !RESERVED.has(name.toLowerCase())
    ? name
    : `"${name.replaceAll('"', '""')}"`;

function aliasesFor(tables: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const taken = new Set<string>();
  for (const table of tables) {
    const words = splitName(table).filter((w) => /^[a-z]/.test(w));
    const initials = words.map((w) => w[0]).join('') || 't';
    const first = words[0] ?? 't';
    let alias = [initials, first.slice(0, 2), first.slice(0, 3), first].find(
      (a) => !taken.has(a) && !RESERVED.has(a),
    );
    for (let n = 2; !alias; n++) if (!taken.has(`${initials}${n}`)) alias = `${initials}${n}`;
    taken.add(alias);
    out.set(table, alias);
  }
  return out;
}

/** Qualifies the columns of `entity` inside a model expression with `alias`. */
export function qualify(expr: string, entity: Entity, alias: string): string {
  return expr.replace(
    /'(?:[^']|'')*'|"((?:[^"]|"")+)"|\b([A-Za-z_]\w*)\b(?!\s*\()/g,
    (match, quoted: string | undefined, word: string | undefined) => {
      const name = quoted?.replaceAll('""', '"') ?? word;
      return name && entity.columns.includes(name) ? `${alias}.${ident(name)}` : match;
    },
  );
}

const BUCKET_FORMAT = { year: '%Y', month: '%Y-%m', week: '%Y-W%W', day: '%Y-%m-%d' } as const;

export interface SqlParts {
  sql: string;
  /** Output column names, in order. */
  columns: string[];
}

const snake = (text: string): string => splitName(text).join('_') || 'value';

export function writeSql(model: SemanticModel, frame: Frame, plan: Plan): SqlParts {
  const tables = [plan.base, ...plan.joins.map((j) => j.to)];
  const alias = aliasesFor(tables);
  const col = (ref: ColumnRef) => `${alias.get(ref.table)}.${ident(ref.column)}`;
  // One row per group when the groups are the base's own rows ("the most expensive product").
  const rowGrain =
    frame.groups.some((g) => g.kind === 'entity' && g.table === plan.base) &&
    frame.measures.every((m) => m.kind === 'aggregate' && m.table === plan.base) &&
    !frame.filters.some((f) => f.kind === 'compare' && f.level === 'group');

  const measureExpr = (m: MeasureUse): string => {
    if (m.kind === 'count') {
      if (m.table === plan.base) return 'count(*)';
      const e = entityOf(model, m.table);
      return `count(DISTINCT ${col({ table: m.table, column: e.key ?? 'rowid' })})`;
    }
    if (m.kind === 'countDistinct') return `count(DISTINCT ${col(m)})`;
    if (m.kind === 'ratio') {
      const per = entityOf(model, m.per);
      return `CAST(${measureExpr(m.of)} AS REAL) / count(DISTINCT ${col({ table: m.per, column: per.key ?? 'rowid' })})`;
    }
    const e = entityOf(model, m.table);
    const spec = e.measures.find((x) => x.name === m.measure);
    if (m.kind === 'derived') return qualify(spec?.sql ?? 'NULL', e, alias.get(m.table) as string);
    const row = qualify(spec?.expr ?? 'NULL', e, alias.get(m.table) as string);
    if (rowGrain) return row;
    return `${m.agg ?? 'sum'}(${row})`;
  };
  const measureOf = (m: MeasureUse) =>
    m.kind === 'aggregate' || m.kind === 'derived'
      ? entityOf(model, m.table).measures.find((x) => x.name === m.measure)
      : undefined;
  const rowExpr = (m: MeasureUse): string => {
    if (m.kind !== 'aggregate') return measureExpr(m);
    const e = entityOf(model, m.table);
    return qualify(
      e.measures.find((x) => x.name === m.measure)?.expr ?? 'NULL',
      e,
      alias.get(m.table) as string,
    );
  };
  const measureName = (m: MeasureUse): string => {
    if (m.kind === 'count') return `${snake(entityOf(model, m.table).name)}_count`;
    if (m.kind === 'countDistinct') return `distinct_${snake(m.column)}`;
    if (m.kind === 'derived') return snake(m.measure);
    if (m.kind === 'ratio') return `${measureName(m.of)}_per_${snake(entityOf(model, m.per).name)}`;
    const e = entityOf(model, m.table);
    const name = snake(m.measure);
    if (rowGrain) return name;
    const prefix = { sum: 'total_', avg: 'avg_', min: 'min_', max: 'max_' }[m.agg ?? 'sum'];
    return m.agg === 'sum' && !e.columns.includes(name) ? name : `${prefix}${name}`;
  };
  const bucket = (g: Extract<GroupUse, { kind: 'bucket' }>): string => {
    const time = g.time ?? (plan.time as ColumnRef);
    const c = col(time);
    const spec = entityOf(model, time.table).times.find((t) => t.column === time.column);
    if (spec?.grain === 'year') return c;
    if (g.unit === 'quarter')
      return `strftime('%Y', ${c}) || '-Q' || ((CAST(strftime('%m', ${c}) AS INTEGER) + 2) / 3)`;
    return `strftime('${BUCKET_FORMAT[g.unit]}', ${c})`;
  };

  const select: string[] = [];
  const columns: string[] = [];
  const groupBy: string[] = [];
  const orderGroups: string[] = [];
  for (const g of frame.groups) {
    if (g.kind === 'dimension') {
      select.push(col(g));
      columns.push(g.column);
      groupBy.push(col(g));
    } else if (g.kind === 'entity' && rowGrain) {
      // The rows themselves: every column, so nothing a reader might want is missing.
      select.push(`${alias.get(g.table)}.*`);
      columns.push(...entityOf(model, g.table).columns);
    } else if (g.kind === 'entity') {
      const e = entityOf(model, g.table);
      // Its label names a row; without one, its key and whatever names it (first, last name).
      const names = e.dimensions.filter((d) => /name/i.test(d.column)).map((d) => d.column);
      const shown = e.label ? [e.label] : [e.key ?? 'rowid', ...names];
      for (const c of shown) select.push(col({ table: g.table, column: c }));
      columns.push(...shown);
      groupBy.push(col({ table: g.table, column: e.key ?? (shown[0] as string) }));
    } else {
      const name = g.time ? snake(g.time.column) : g.unit;
      select.push(`${bucket(g)} AS ${ident(name)}`);
      columns.push(name);
      groupBy.push(bucket(g));
      orderGroups.push(ident(name));
    }
  }
  const names = frame.measures.map((m, i) => {
    const name = measureName(m);
    return frame.measures.findIndex((x) => measureName(x) === name) === i
      ? name
      : `${name}_${i + 1}`;
  });
  if (frame.list) {
    select.push(`${alias.get(frame.list)}.*`);
    columns.push(...entityOf(model, frame.list).columns);
  }
  const orderBy = names.map((n) => ident(n));
  frame.measures.forEach((m, i) => {
    const plain = m.kind === 'aggregate' && plainColumn(measureOf(m) ?? {}) !== undefined;
    if (rowGrain && plain) {
      // Already among the row's columns.
      orderBy[i] = rowExpr(m);
      return;
    }
    select.push(`${measureExpr(m)} AS ${ident(names[i] as string)}`);
    columns.push(names[i] as string);
  });

  const where: string[] = [];
  const having: string[] = [];
  let shareCondition: string | undefined;
  for (const f of frame.filters) {
    const sqlOf = filterSql(f, { col, plan, model, rowExpr, measureExpr });
    if (f.kind === 'compare' && f.level === 'group') having.push(sqlOf);
    else if (frame.share && frame.groups.length === 0 && f.kind === 'values') {
      shareCondition = shareCondition ? `${shareCondition} AND ${sqlOf}` : sqlOf;
    } else where.push(sqlOf);
  }
  if (frame.share) {
    const m = frame.measures[0] as MeasureUse;
    // Only what adds up has shares: counts and sums, not averages or ratios.
    const additive =
      m.kind === 'count' ||
      m.kind === 'countDistinct' ||
      (m.kind === 'aggregate' && m.agg === 'sum');
    if (!additive)
      throw new BuildError('Only counts and totals have shares; averages and ratios do not.');
    if (shareCondition) {
      const c = shareCondition;
      let part: string;
      let whole: string;
      if (m.kind === 'count' && m.table === plan.base) {
        part = `sum(CASE WHEN ${c} THEN 1 ELSE 0 END)`;
        whole = 'count(*)';
      } else if (m.kind === 'count' || m.kind === 'countDistinct') {
        const key =
          m.kind === 'count'
            ? col({ table: m.table, column: entityOf(model, m.table).key ?? 'rowid' })
            : col(m);
        part = `count(DISTINCT CASE WHEN ${c} THEN ${key} END)`;
        whole = `count(DISTINCT ${key})`;
      } else {
        part = `sum(CASE WHEN ${c} THEN ${rowExpr(m)} ELSE 0 END)`;
        whole = `sum(${rowExpr(m)})`;
      }
      select.push(`100.0 * ${part} / ${whole} AS share_pct`);
    } else {
      select.push(`100.0 * ${measureExpr(m)} / sum(${measureExpr(m)}) OVER () AS share_pct`);
    }
    columns.push('share_pct');
  }

  const from = [`${ident(plan.base)} ${alias.get(plan.base)}`];
  for (const j of plan.joins) {
    from.push(
      `JOIN ${ident(j.to)} ${alias.get(j.to)} ON ${alias.get(j.to)}.${ident(j.toColumn)} = ${alias.get(j.from)}.${ident(j.fromColumn)}`,
    );
  }
  let sql = `SELECT ${select.join(', ')} FROM ${from.join(' ')}`;
  if (where.length > 0) sql += ` WHERE ${where.join(' AND ')}`;
  if (groupBy.length > 0 && !rowGrain) sql += ` GROUP BY ${groupBy.join(', ')}`;
  if (having.length > 0) sql += ` HAVING ${having.join(' AND ')}`;
  if (frame.rank) {
    const name = orderBy[frame.rank.measure] ?? (orderBy[0] as string);
    sql += ` ORDER BY ${name} ${frame.rank.dir.toUpperCase()} LIMIT ${frame.rank.limit}`;
  } else if (frame.sort && orderBy[frame.sort.measure]) {
    sql += ` ORDER BY ${orderBy[frame.sort.measure]} ${frame.sort.dir.toUpperCase()}`;
  } else if (orderGroups.length > 0) {
    sql += ` ORDER BY ${orderGroups.join(', ')}`;
  } else if (frame.groups.length > 1 && !rowGrain) {
    // Several groups read best in their own order (segment, then country).
    sql += ` ORDER BY ${groupBy.join(', ')}`;
  } else if (frame.groups.length > 0 && frame.measures.length > 0) {
    sql += ` ORDER BY ${orderBy[0]} DESC`;
  }
  return { sql, columns };
}
