// Suggestions while a person types a question: measures, dimensions, entities and values of the
// dataset's semantic model that start with (or contain) what they are typing.
import type { Suggestion, SuggestionKind } from '@querylane/contracts';
import type { SemanticModel } from './model.ts';
import { plural } from './reading.ts';
import { fold } from './words.ts';

const ORDER: Record<SuggestionKind, number> = {
  measure: 0,
  dimension: 1,
  entity: 2,
  time: 3,
  value: 4,
};

/** Up to `limit` suggestions for `prefix` (the word being typed); prefix matches first. */
export function suggest(model: SemanticModel, prefix: string, limit: number): Suggestion[] {
  const p = fold(prefix.trim());
  const all: Suggestion[] = [];
  for (const e of model.entities) {
    const of = plural(e.name);
    all.push({ kind: 'entity', text: of, detail: `${e.table} table` });
    for (const m of e.measures)
      all.push({ kind: 'measure', text: m.name, detail: `measure of ${of}` });
    for (const d of e.dimensions) {
      all.push({ kind: 'dimension', text: d.name, detail: `${d.column} of ${of}` });
      for (const v of d.values) all.push({ kind: 'value', text: v, detail: `${d.name} of ${of}` });
    }
    for (const t of e.times) all.push({ kind: 'time', text: t.name, detail: `date of ${of}` });
  }
  const scored = all
    .map((s) => {
      const text = fold(s.text);
      const score =
        p === ''
          ? 1
          : text.startsWith(p)
            ? 0
            : text.split(/[\s_]+/).some((w) => w.startsWith(p))
              ? 1
              : text.includes(p)
                ? 2
                : -1;
      return { s, score };
    })
    .filter((x) => x.score >= 0)
    .sort(
      (a, b) =>
        a.score - b.score || ORDER[a.s.kind] - ORDER[b.s.kind] || a.s.text.localeCompare(b.s.text),
    );
  const seen = new Set<string>();
  const out: Suggestion[] = [];
  for (const { s } of scored) {
    const key = `${s.kind}:${s.text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(s);
    if (out.length >= limit) break;
  }
  return out;
}
