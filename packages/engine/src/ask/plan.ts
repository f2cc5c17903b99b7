// Plans a frame over the join graph: the base table (the one every other table is reached from
// along foreign keys, so no row is counted twice), the joins, and the date column that time
// filters and buckets use. Several equally good choices become an AmbiguityError, never a pick.
import { AmbiguityError, BuildError } from './build-state.ts';
import { type ColumnRef, type Frame, isTimeFilter, type MeasureUse } from './frame.ts';
import { entityOf, type Join, type SemanticModel } from './model.ts';
import { plural } from './reading.ts';

export interface Plan {
  base: string;
  /** In join order: each `from` is the base or an earlier join's `to`. */
  joins: Join[];
  /** The date column of time filters and buckets, when the frame has any. */
  time?: ColumnRef;
}

/** Shortest paths from `from` along foreign keys: for each reachable table, every shortest path. */
function paths(model: SemanticModel, from: string): Map<string, Join[][]> {
  const out = new Map<string, Join[][]>([[from, [[]]]]);
  let frontier = [from];
  while (frontier.length > 0) {
    const next = new Map<string, Join[][]>();
    for (const t of frontier) {
      for (const j of model.joins.filter((x) => x.from === t)) {
        if (out.has(j.to)) continue;
        const extended = (out.get(t) ?? []).map((p) => [...p, j]);
        next.set(j.to, [...(next.get(j.to) ?? []), ...extended]);
      }
    }
    for (const [t, p] of next) out.set(t, p);
    frontier = [...next.keys()];
  }
  return out;
}

function measureTables(m: MeasureUse, into: Set<string>): void {
  if (m.kind === 'ratio') {
    measureTables(m.of, into);
    into.add(m.per);
  } else into.add(m.table);
}

/** Tables whose measures are summed or averaged: the rows must be theirs, so they are the base. */
function factTables(frame: Frame): Set<string> {
  const out = new Set<string>();
  const visit = (m: MeasureUse) => {
    if (m.kind === 'aggregate' || m.kind === 'derived') out.add(m.table);
    if (m.kind === 'ratio') visit(m.of);
  };
  frame.measures.forEach(visit);
  if (frame.list) out.add(frame.list);
  for (const f of frame.filters) if (f.kind === 'compare' && f.level === 'group') visit(f.target);
  return out;
}

export function requiredTables(frame: Frame): Set<string> {
  const out = new Set<string>();
  for (const m of frame.measures) measureTables(m, out);
  for (const g of frame.groups) if (g.kind !== 'bucket') out.add(g.table);
  for (const f of frame.filters) {
    if (f.kind === 'values') out.add(f.table);
    if (f.kind === 'compare') measureTables(f.target, out);
    if (f.kind === 'present') out.add(f.from);
  }
  for (const t of frame.context) out.add(t);
  if (frame.time) out.add(frame.time.table);
  if (frame.list) out.add(frame.list);
  return out;
}

const needsTime = (frame: Frame): boolean =>
  frame.filters.some(isTimeFilter) || frame.groups.some((g) => g.kind === 'bucket' && !g.time);

function chooseBase(model: SemanticModel, frame: Frame, required: Set<string>): string {
  const facts = factTables(frame);
  if (facts.size > 1) {
    const names = [...facts].map((t) => entityOf(model, t).name);
    throw new BuildError(
      `The measures come from different tables (${names.join(', ')}); ask about one at a time.`,
    );
  }
  const candidates = facts.size === 1 ? [...facts] : model.entities.map((e) => e.table);
  const scored = candidates
    .map((table) => {
      const reach = paths(model, table);
      let cost = 0;
      for (const t of required) {
        const p = reach.get(t);
        if (!p) return undefined;
        cost += (p[0] as Join[]).length;
      }
      return { table, cost };
    })
    .filter((x): x is { table: string; cost: number } => x !== undefined);
  if (scored.length === 0) {
    const names = [...required].map((t) => entityOf(model, t).name);
    throw new BuildError(`I found no way to relate ${names.join(' and ')} in this dataset.`);
  }
  // Counting an entity over its own rows beats counting it through another table.
  const counted = frame.measures.find((m) => m.kind === 'count')?.table;
  const own = scored.find((s) => s.table === counted);
  if (own) return own.table;
  // Of two tables that both relate everything, the one the other points at is the more direct
  // (orders rather than order items, for customers who ordered). Unrelated ones (order items,
  // posts) would count different things: that is for the person to say.
  const direct = scored.filter(
    (s) => !scored.some((o) => o.table !== s.table && paths(model, s.table).has(o.table)),
  );
  if (direct.length > 1) {
    const alternatives = direct.map((s) => ({
      ...structuredClone(frame),
      context: [...frame.context, s.table],
    }));
    const names = direct.map((s) => plural(entityOf(model, s.table).name));
    throw new AmbiguityError(
      `This can be counted through ${names.join(' or through ')}.`,
      alternatives,
    );
  }
  return (direct[0] as { table: string }).table;
}

/** The date column for time words: the one named, the measure's own, the base's, the nearest. */
function chooseTime(model: SemanticModel, frame: Frame, base: string): ColumnRef {
  if (frame.time) return frame.time;
  for (const m of frame.measures) {
    const inner = m.kind === 'ratio' ? m.of : m;
    if (inner.kind !== 'aggregate' && inner.kind !== 'derived') continue;
    const time = entityOf(model, inner.table).measures.find((x) => x.name === inner.measure)?.time;
    if (time) {
      const [table, column] = time.split('.') as [string, string];
      return { table, column };
    }
  }
  const reach = paths(model, base);
  const byDistance = [...reach.entries()]
    .map(([table, p]) => ({
      table,
      distance: (p[0] as Join[]).length,
      times: entityOf(model, table).times,
    }))
    .filter((x) => x.times.length > 0)
    .sort((a, b) => a.distance - b.distance);
  const nearest = byDistance.filter((x) => x.distance === byDistance[0]?.distance);
  let options = nearest.flatMap((x) => x.times.map((t) => ({ table: x.table, column: t.column })));
  if (options.length > 1) {
    // A loan's date is `loaned_at` rather than `returned_at`: prefer dates named after the entity.
    const own = options.filter((o) => {
      const stem = (entityOf(model, o.table).name.split(' ').at(-1) ?? '').slice(0, 4);
      return stem.length >= 3 && o.column.toLowerCase().startsWith(stem);
    });
    if (own.length === 1) options = own;
  }
  if (options.length === 0) {
    throw new BuildError(`${entityOf(model, base).name} has no dates to filter or group by time.`);
  }
  if (options.length > 1) {
    throw new AmbiguityError(
      'More than one date fits; say which.',
      options.map((time) => ({ ...structuredClone(frame), time })),
    );
  }
  return options[0] as ColumnRef;
}

export function planFrame(model: SemanticModel, frame: Frame): Plan {
  const required = requiredTables(frame);
  const base = chooseBase(model, frame, required);
  const plan: Plan = { base, joins: [] };
  if (needsTime(frame)) {
    plan.time = chooseTime(model, frame, base);
    required.add(plan.time.table);
  }
  for (const g of frame.groups) if (g.kind === 'bucket' && g.time) required.add(g.time.table);
  const reach = paths(model, base);
  for (const table of required) {
    if (table === base) continue;
    let options = reach.get(table);
    if (options && options.length > 1) {
      // "hours worked by employees in Sales": the way through the tables the question names.
      const named = options.filter((p) => p.every((j) => j.to === table || required.has(j.to)));
      if (named.length === 1) options = named;
    }
    if (!options)
      throw new BuildError(
        `I found no way to relate ${entityOf(model, base).name} to ${entityOf(model, table).name}.`,
      );
    if (options.length > 1) {
      const via = options.map((p) => (p[0] as Join).fromColumn);
      throw new BuildError(
        `${entityOf(model, table).name} can be reached from ${entityOf(model, base).name} in more than one way (${via.join(', ')}).`,
      );
    }
    for (const j of options[0] as Join[]) if (!plan.joins.includes(j)) plan.joins.push(j);
  }
  // Breadth order: a join's `from` is always placed before it.
  plan.joins.sort((a, b) => depth(reach, a) - depth(reach, b));
  return plan;
}

function depth(reach: Map<string, Join[][]>, j: Join): number {
  return (reach.get(j.to)?.[0] as Join[] | undefined)?.length ?? 0;
}
