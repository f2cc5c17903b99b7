// How a question was understood, in words: "sum of revenue by channel, 2024". Written from the
// frame (and its plan), so it says exactly what the SQL does, including the defaults applied.
import type { Frame, GroupUse, MeasureUse } from './frame.ts';
import { entityOf, type SemanticModel } from './model.ts';
import type { Plan } from './plan.ts';
import { resolveRelative } from './sql-filters.ts';
import { listing } from './words.ts';

const AGG_WORDS = { sum: 'sum', avg: 'average', min: 'minimum', max: 'maximum' } as const;

export function plural(name: string): string {
  const words = name.split(' ');
  const last = words.pop() ?? '';
  const p = /[^aeiou]y$/.test(last)
    ? `${last.slice(0, -1)}ies`
    : /(s|x|ch|sh)$/.test(last)
      ? `${last}es`
      : `${last}s`;
  return [...words, p].join(' ');
}

/** A name, with its entity when another table has a column called the same ("country of customers"). */
function qualified(
  model: SemanticModel,
  table: string,
  name: string,
  kind: 'dimensions' | 'measures',
): string {
  const shared = model.entities.some(
    (e) => e.table !== table && (e[kind] as { name: string }[]).some((x) => x.name === name),
  );
  return shared ? `${name} of ${plural(entityOf(model, table).name)}` : name;
}

function dimensionName(model: SemanticModel, table: string, column: string): string {
  const name = entityOf(model, table).dimensions.find((d) => d.column === column)?.name ?? column;
  return qualified(model, table, name, 'dimensions');
}

export function describeMeasure(model: SemanticModel, m: MeasureUse): string {
  if (m.kind === 'count') return `count of ${plural(entityOf(model, m.table).name)}`;
  if (m.kind === 'countDistinct')
    return `count of distinct ${plural(dimensionName(model, m.table, m.column))}`;
  if (m.kind === 'derived') return m.measure;
  if (m.kind === 'ratio')
    return `${describeMeasure(model, m.of)} per ${entityOf(model, m.per).name}`;
  return `${AGG_WORDS[m.agg ?? 'sum']} of ${qualified(model, m.table, m.measure, 'measures')}`;
}

function describeGroup(model: SemanticModel, g: GroupUse): string {
  if (g.kind === 'dimension') return dimensionName(model, g.table, g.column);
  if (g.kind === 'entity') return entityOf(model, g.table).name;
  if (g.time) {
    const t = entityOf(model, g.time.table).times.find((x) => x.column === g.time?.column);
    return t?.name ?? g.time.column;
  }
  return g.unit;
}

export function describeFilters(model: SemanticModel, frame: Frame, plan?: Plan): string[] {
  const out: string[] = [];
  for (const f of frame.filters) {
    if (f.kind === 'values') {
      const name = dimensionName(model, f.table, f.column);
      if (f.values.length === 1) out.push(`${name} ${f.negate ? 'is not' : 'is'} ${f.values[0]}`);
      else out.push(`${name} ${f.negate ? 'not in' : 'in'} ${listing(f.values, 'or')}`);
    } else if (f.kind === 'compare') {
      const what =
        f.level === 'row' && f.target.kind === 'aggregate'
          ? f.target.measure
          : describeMeasure(model, f.target);
      out.push(`${what} ${f.op} ${f.value}`);
    } else if (f.kind === 'present') {
      out.push(`with a ${entityOf(model, f.to).name}`);
    } else if (f.kind === 'range' || f.kind === 'monthOfYear') {
      out.push(f.kind === 'range' ? f.range.label : f.label);
    } else {
      const time = f.time ?? plan?.time;
      const max = time
        ? entityOf(model, time.table).times.find((t) => t.column === time.column)?.max
        : undefined;
      out.push(
        `${f.label}: ${resolveRelative(f, max).label}${max ? ` (the data runs to ${max.slice(0, 10)})` : ''}`,
      );
    }
  }
  return out;
}

/** The reading of a planned frame. */
export function describeFrame(model: SemanticModel, frame: Frame, plan?: Plan): string {
  // Ranking an entity's own rows ("the most expensive product") needs no aggregate word.
  const own = (m: MeasureUse) =>
    m.kind === 'aggregate' && frame.groups.some((g) => g.kind === 'entity' && g.table === m.table);
  const measures = frame.measures.map((m) =>
    own(m) && m.kind === 'aggregate' ? m.measure : describeMeasure(model, m),
  );
  if (frame.share && frame.groups.length === 0 && !frame.rank) {
    // "What percentage of orders were returned?": the share of the rows the filters keep.
    const filters = describeFilters(model, frame, plan);
    const what = (frame.measures[0] ? describeMeasure(model, frame.measures[0]) : '').replace(
      /^count of /,
      '',
    );
    return `share of ${what} where ${listing(filters)}, in percent`;
  }
  const groups = frame.groups.map((g) => describeGroup(model, g));
  let head: string;
  if (frame.rank) {
    const by = measures[frame.rank.measure] ?? measures[0] ?? '';
    const others = measures.filter((_, i) => i !== frame.rank?.measure);
    const subject = listing(groups);
    const word = frame.rank.dir === 'desc' ? 'highest' : 'lowest';
    head =
      frame.rank.limit === 1
        ? `the ${subject} with the ${word} ${by}`
        : `${frame.rank.dir === 'desc' ? 'top' : 'bottom'} ${frame.rank.limit} ${plural(subject)} by ${by}`;
    if (others.length > 0) head += `, with ${listing(others)}`;
  } else if (frame.list) {
    head = plural(entityOf(model, frame.list).name);
  } else {
    head = listing(measures);
    if (groups.length > 0) head += ` by ${listing(groups)}`;
  }
  if (frame.share) head += ', as a share of the total in percent';
  if (frame.sort) {
    const by = measures[frame.sort.measure] ?? '';
    head += `, sorted by ${by} ${frame.sort.dir === 'desc' ? 'from highest to lowest' : 'from lowest to highest'}`;
  }
  // Counting one thing through the rows of another says which rows: "through posts".
  const through = frame.measures.some((m) => m.kind === 'count' && plan && m.table !== plan.base);
  if (through && plan) head += ` (counted through ${plural(entityOf(model, plan.base).name)})`;
  const parts = [head, ...describeFilters(model, frame, plan)];
  if (frame.time && !frame.filters.some((f) => f.kind === 'range' || f.kind === 'relative')) {
    const t = entityOf(model, frame.time.table).times.find((x) => x.column === frame.time?.column);
    if (!frame.groups.some((g) => g.kind === 'bucket'))
      parts.push(`(${t?.name ?? frame.time.column})`);
  }
  return parts.join(', ');
}
