// Example questions for a dataset, written from its semantic model and kept only when the
// offline translator answers them: what a refusal offers instead, and what a new user sees.
import { plainColumn, type SemanticModel } from './model.ts';
import { plural } from './reading.ts';
import { type Translator, translate } from './translate.ts';

function candidates(model: SemanticModel): string[] {
  const out: string[] = [];
  // The biggest tables first: they are usually the facts people ask about.
  const entities = [...model.entities].sort((a, b) => b.rowCount - a.rowCount);
  for (const e of entities) {
    const many = plural(e.name);
    const dimension = e.dimensions.find(
      (d) => d.column !== e.label && d.values.length > 1 && d.values.length <= 20,
    );
    // Curated measures (an expression, not a bare column) read best; years never add up.
    const usable = e.measures.filter(
      (m) => m.agg !== null && m.expr && !e.times.some((t) => t.column === plainColumn(m)),
    );
    const measure =
      usable.find((m) => plainColumn(m) === undefined) ??
      usable.find((m) => m.agg === 'sum') ??
      usable[0];
    const total = measure ? `${measure.agg === 'avg' ? 'Average' : 'Total'} ${measure.name}` : '';
    const time = e.times[0];
    if (measure && dimension) out.push(`${total} by ${dimension.name}`);
    if (dimension) out.push(`How many ${many} per ${dimension.name}?`);
    const labelled = model.entities.find(
      (x) => x.label && model.joins.some((j) => j.from === e.table && j.to === x.table),
    );
    if (measure?.agg === 'sum' && labelled)
      out.push(`Top 5 ${plural(labelled.name)} by ${measure.name}`);
    if (time && !time.grain) {
      const year = time.max?.slice(0, 4);
      out.push(year ? `Number of ${many} per month in ${year}` : `Number of ${many} per month`);
    }
    const value = dimension?.values.find((v) => /^[a-z][\w ]*$/i.test(v));
    if (dimension && value) out.push(`How many ${many} have ${dimension.name} ${value}?`);
    out.push(`How many ${many} are there?`);
  }
  return out;
}

/** Up to `limit` example questions that the translator answers, varied across tables. */
export function exampleQuestions(tr: Translator, limit = 4): string[] {
  const kept: string[] = [];
  const usedTables = new Set<string>();
  const pool = candidates(tr.model);
  // Two passes: first one question per table, then whatever else works.
  for (const pass of [0, 1]) {
    for (const q of pool) {
      if (kept.length >= limit) return kept;
      if (kept.includes(q)) continue;
      const out = translate(tr, q);
      if (!out.ok) continue;
      const table = out.plan.base;
      if (pass === 0 && usedTables.has(table)) continue;
      usedTables.add(table);
      kept.push(q);
    }
  }
  return kept;
}
