// How inference names things: whether a number is added up or averaged, the verb forms and
// abbreviations that point at a column or a table, and the short synonyms names earn.
import type { Aggregate, Entity } from './model.ts';
import { splitName } from './words.ts';

// Names that say "add me up" or "average me" (a sum of prices means nothing); anything else —
// a salary, a weight — can be either, so the question must say "total" or "average".
const ADDITIVE =
  /^(count|quantity|qty|amount|total|revenue|sales?|cost|costs|spend|spent|views?|likes?|clicks?|shares?|comments?|units?|points?|goals?|minutes|seconds|hours|distance|visits?|downloads?|impressions?|votes?|steps|calories|profit|income|expenses?|budget|gross|population|stock|inventory|orders|items|tickets|sold|fees?|tax|taxes|discount|words|pages|runs|wins|losses)$/;
const AVERAGE =
  /^(price|rate|ratio|percent|percentage|pct|score|rating|stars|age|temperature|temp|speed|average|avg|mean|margin|latitude|longitude|lat|lon|lng|grade|level|rank|year)$/;

export function defaultAgg(words: readonly string[]): Aggregate | null {
  const last = words.at(-1) ?? '';
  if (AVERAGE.test(last) || words.some((w) => AVERAGE.test(w) && w !== 'total')) return 'avg';
  if (ADDITIVE.test(last) || words.some((w) => ADDITIVE.test(w))) return 'sum';
  return null;
}

/** Past forms of a word, so "released" finds `release_date`: release → released. */
export function verbForms(word: string): string[] {
  if (word.length < 3 || word.endsWith('ed')) return [];
  if (word.endsWith('e')) return [`${word}d`];
  if (/[^aeiou][aeiou][bdgklmnprt]$/.test(word) && word.length <= 5)
    return [`${word}${word.at(-1)}ed`, `${word}ed`];
  return [`${word}ed`];
}

/** "dept" for department, "mgr" for manager: the same first letter, the rest in order. */
export function abbreviates(short: string, name: string): boolean {
  if (short[0] !== name[0] || short.length >= name.length) return false;
  let at = 0;
  for (const ch of short) {
    at = name.indexOf(ch, at);
    if (at === -1) return false;
    at++;
  }
  return true;
}

export function countedThing(words: readonly string[]): string | undefined {
  if (words.length < 2) return undefined;
  if (/^(count|number|num|total|qty)$/.test(words.at(-1) as string))
    return words.slice(0, -1).join(' ');
  if (/^(n|num|number|count|total)$/.test(words[0] as string))
    return words.slice(words[1] === 'of' ? 2 : 1).join(' ');
  return undefined;
}

export function nameFor(column: string): { words: string[]; name: string } {
  const words = splitName(column);
  return { words, name: words.join(' ') };
}

/**
 * "price" for list_price and "item" for order_items: the last word of a multi-word name, when
 * nothing else in the dataset is called that.
 */
export function addLastWordSynonyms(entities: Entity[]): void {
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
