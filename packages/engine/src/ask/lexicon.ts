// The lexicon of one semantic model: every phrase that names an entity, a measure, a dimension,
// a value, a date or a relationship, plus the English keywords; and the parser that reads a
// question into terms by longest match, keeping the words it could not place.
import { type Keyword, keywordPhrases } from './keywords.ts';
import type { SemanticModel } from './model.ts';
import { normPhrase, type Token, tokenize } from './words.ts';

export type Term =
  | { t: 'entity'; table: string }
  | { t: 'verb'; table: string }
  | { t: 'measure'; table: string; measure: string }
  | { t: 'adjective'; table: string; measure: string; dir: 'desc' | 'asc' }
  | { t: 'dimension'; table: string; column: string }
  | { t: 'value'; table: string; column: string; value: string }
  | { t: 'time'; table: string; column: string }
  | { t: 'join'; from: string; column: string; to: string }
  | { t: 'keyword'; kw: Keyword }
  | { t: 'number'; value: number }
  /** An entity's name and then one of its own words; the parser splits it in two. */
  | { t: 'qualified'; table: string; split: number; inner: Term };

/** One placed phrase of a question: its words and what they may mean (several when ambiguous). */
export interface Item {
  tokens: Token[];
  terms: Term[];
}

export interface Lexicon {
  entries: Map<string, Term[]>;
  maxLength: number;
}

// Keywords that are only glue: a dataset word spelled the same way wins over them.
const SOFT: ReadonlySet<string> = new Set([
  'filler',
  'which',
  'and',
  'or',
  'to',
  'since',
  'last',
  'followup',
]);

const sameTerm = (a: Term, b: Term): boolean => JSON.stringify(a) === JSON.stringify(b);

export function buildLexicon(model: SemanticModel): Lexicon {
  const entries = new Map<string, Term[]>();
  let maxLength = 1;
  const add = (phrase: string, term: Term) => {
    const key = normPhrase(phrase);
    if (key === '') return;
    maxLength = Math.max(maxLength, key.split(' ').length);
    const list = entries.get(key) ?? [];
    if (!list.some((x) => sameTerm(x, term))) list.push(term);
    entries.set(key, list);
  };
  const keywordKeys = new Set<string>();
  for (const [phrase, kw] of keywordPhrases()) {
    add(phrase, { t: 'keyword', kw });
    keywordKeys.add(normPhrase(phrase));
  }
  for (const e of model.entities) {
    const names = [e.name, e.table, ...e.synonyms];
    for (const n of names) add(n, { t: 'entity', table: e.table });
    for (const v of e.verbs) add(v, { t: 'verb', table: e.table });
    // "product price", "customer segment": the entity's name qualifies its own words. Read as
    // two phrases (the entity, then the word) so "how many products cost …" still counts them.
    const qualified = (words: readonly string[], term: Term) => {
      for (const w of words) {
        add(w, term);
        for (const n of names) {
          const split = normPhrase(n).split(' ').length;
          add(`${n} ${w}`, { t: 'qualified', table: e.table, split, inner: term });
        }
      }
    };
    for (const m of e.measures) {
      const term: Term = { t: 'measure', table: e.table, measure: m.name };
      const bare = m.expr?.replace(/^"(.*)"$/, '$1');
      const column = bare && !/[()*+/-]/.test(bare) ? [bare] : [];
      qualified([m.name, ...m.synonyms, ...column], term);
      for (const w of m.high)
        add(w, { t: 'adjective', table: e.table, measure: m.name, dir: 'desc' });
      for (const w of m.low)
        add(w, { t: 'adjective', table: e.table, measure: m.name, dir: 'asc' });
    }
    for (const d of e.dimensions) {
      qualified([d.name, d.column, ...d.synonyms], {
        t: 'dimension',
        table: e.table,
        column: d.column,
      });
      for (const value of d.values) {
        const term: Term = { t: 'value', table: e.table, column: d.column, value };
        // Pure numbers stay numbers; a value spelled like an English keyword ("all", "new",
        // "top") would turn every such word into a filter, so it is left out.
        if (!/^[\d.,\s-]+$/.test(value) && !keywordKeys.has(normPhrase(value))) add(value, term);
      }
      for (const [value, words] of Object.entries(d.valueSynonyms)) {
        for (const w of words) add(w, { t: 'value', table: e.table, column: d.column, value });
      }
    }
    for (const time of e.times) {
      const term: Term = { t: 'time', table: e.table, column: time.column };
      // Only the names are qualified: "customer signup date", not "customers signed up".
      qualified([time.name, time.column], term);
      for (const w of time.synonyms) add(w, term);
    }
  }
  for (const j of model.joins) {
    for (const s of j.synonyms) add(s, { t: 'join', from: j.from, column: j.fromColumn, to: j.to });
  }
  // Resolve collisions once: structural keywords beat dataset words, dataset words beat glue.
  for (const [key, terms] of entries) {
    const model = terms.filter((x) => x.t !== 'keyword');
    const hard = terms.filter((x) => x.t === 'keyword' && !SOFT.has(x.kw.k));
    const soft = terms.filter((x) => x.t === 'keyword' && SOFT.has(x.kw.k));
    // "share", "total", "count" are keywords and, in some datasets, columns ("shares", an
    // invoice's "total"): both readings are kept; the one that makes a question is used, and
    // two that do are AMBIGUOUS.
    const both =
      hard.length > 0 &&
      hard.every((x) => x.t === 'keyword' && ['share', 'agg', 'count'].includes(x.kw.k));
    entries.set(
      key,
      both ? [...hard, ...model] : hard.length > 0 ? hard : model.length > 0 ? model : soft,
    );
  }
  return { entries, maxLength };
}

export interface Parsed {
  items: Item[];
  /** Words no phrase of the lexicon covers. */
  unknown: Token[];
}

/** Reads a question by longest match from the left; numbers not part of a phrase are numbers. */
export function parseQuestion(lexicon: Lexicon, question: string): Parsed {
  const tokens = tokenize(question);
  const items: Item[] = [];
  const unknown: Token[] = [];
  let i = 0;
  while (i < tokens.length) {
    let matched = false;
    for (let len = Math.min(lexicon.maxLength, tokens.length - i); len >= 1; len--) {
      const slice = tokens.slice(i, i + len);
      if (len === 1 && slice[0]?.number !== undefined) break;
      const found = lexicon.entries.get(slice.map((t) => t.norm).join(' '));
      if (!found) continue;
      const plain = found.filter((t) => t.t !== 'qualified');
      const qualified = found.filter((t) => t.t === 'qualified');
      const first = qualified[0];
      if (plain.length === 0 && first?.t === 'qualified') {
        items.push({
          tokens: slice.slice(0, first.split),
          terms: [{ t: 'entity', table: first.table }],
        });
        const inner = qualified.flatMap((t) =>
          t.t === 'qualified' && t.split === first.split ? [t.inner] : [],
        );
        items.push({ tokens: slice.slice(first.split), terms: inner });
      } else items.push({ tokens: slice, terms: plain });
      i += len;
      matched = true;
      break;
    }
    if (matched) continue;
    const token = tokens[i] as Token;
    if (token.number !== undefined)
      items.push({ tokens: [token], terms: [{ t: 'number', value: token.number }] });
    else unknown.push(token);
    i++;
  }
  return { items, unknown };
}

/** The words of items, as written. */
export function wordsOf(items: readonly Item[]): string {
  return items.flatMap((it) => it.tokens.map((t) => t.raw)).join(' ');
}
