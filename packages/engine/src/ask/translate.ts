// The offline translator: question → frame → plan → SQL and a reading, over one semantic model.
// It answers only when every meaningful word found its place and exactly one reading is left;
// otherwise it refuses (NOT_UNDERSTOOD or AMBIGUOUS) saying what it understood and what not.

import { buildFrame } from './build.ts';
import { AmbiguityError, BuildError, type Slot } from './build-state.ts';
import { describeItem } from './explain.ts';
import { mergeFollowUp, startsFollowUp } from './followup.ts';
import type { Frame } from './frame.ts';
import { buildLexicon, type Item, type Lexicon, parseQuestion } from './lexicon.ts';
import type { SemanticModel } from './model.ts';
import { type Plan, planFrame } from './plan.ts';
import { describeFrame } from './reading.ts';
import { writeSql } from './sql.ts';

export interface Translated {
  ok: true;
  frame: Frame;
  plan: Plan;
  sql: string;
  columns: string[];
  reading: string;
  /** True when earlier turns filled in what this question left out. */
  followUp: boolean;
}

export interface Refusal {
  ok: false;
  code: 'NOT_UNDERSTOOD' | 'AMBIGUOUS';
  message: string;
  understood: string[];
  unknownWords: string[];
  readings: string[];
}

export type Translation = Translated | Refusal;

/** A model with its lexicon, built once per dataset. */
export interface Translator {
  model: SemanticModel;
  lexicon: Lexicon;
}

export function createTranslator(model: SemanticModel): Translator {
  return { model, lexicon: buildLexicon(model) };
}

const MAX_READINGS = 12;

/** Every combination of the candidate meanings of ambiguous phrases (bounded). */
function alternatives(items: readonly Item[]): Slot[][] {
  let out: Slot[][] = [[]];
  for (const item of items) {
    const words = item.tokens.map((t) => t.raw).join(' ');
    const next: Slot[][] = [];
    for (const prefix of out) {
      for (const term of item.terms) next.push([...prefix, { term, words, used: false }]);
    }
    out = next.slice(0, MAX_READINGS);
  }
  return out;
}

interface Candidate {
  /** Tables the question names as entities ("customers", "tracks"). */
  named: Set<string>;
  frame: Frame;
  plan: Plan;
  sql: string;
  columns: string[];
  reading: string;
}

function plan(
  tr: Translator,
  frame: Frame,
  errors: Error[],
  depth = 0,
): Omit<Candidate, 'named'>[] {
  try {
    const p = planFrame(tr.model, frame);
    const { sql, columns } = writeSql(tr.model, frame, p);
    return [{ frame, plan: p, sql, columns, reading: describeFrame(tr.model, frame, p) }];
  } catch (err) {
    if (err instanceof AmbiguityError && depth < 2) {
      return err.alternatives
        .flatMap((f) => plan(tr, f, errors, depth + 1))
        .map((c) => ({ ...c, ambiguity: err.message }));
    }
    if (err instanceof BuildError || err instanceof AmbiguityError) {
      errors.push(err);
      return [];
    }
    throw err;
  }
}

function build(tr: Translator, slots: Slot[], fragment: boolean, errors: Error[]): Frame[] {
  try {
    return [buildFrame(tr.model, slots, { fragment })];
  } catch (err) {
    if (err instanceof AmbiguityError) return err.alternatives;
    if (err instanceof BuildError) {
      errors.push(err);
      return [];
    }
    throw err;
  }
}

/**
 * Translates `question`; `history` holds the earlier questions of the conversation, oldest first,
 * so a follow-up ("and by channel?", "only 2024", "top 3 instead") is read against the last one.
 */
export function translate(
  tr: Translator,
  question: string,
  history: readonly string[] = [],
): Translation {
  const { items, unknown } = parseQuestion(tr.lexicon, question);
  const understood = items
    .map((it) => describeItem(tr.model, it))
    .filter((x): x is string => x !== undefined);
  const unknownWords = [...new Set(unknown.map((t) => t.raw))];
  const refuse = (code: Refusal['code'], message: string, readings: string[] = []): Refusal => ({
    ok: false,
    code,
    message,
    understood,
    unknownWords,
    readings,
  });
  if (unknownWords.length > 0) {
    return refuse(
      'NOT_UNDERSTOOD',
      `I did not understand ${unknownWords.map((w) => `"${w}"`).join(', ')}.`,
    );
  }
  if (items.length === 0)
    return refuse('NOT_UNDERSTOOD', 'The question has no words I can work with.');

  const previous =
    history.length > 0 ? translate(tr, history.at(-1) as string, history.slice(-6, -1)) : undefined;
  const prior = previous?.ok ? previous.frame : undefined;
  const errors: Error[] = [];
  const candidates: Candidate[] = [];
  let followUp = false;
  for (const slots of alternatives(items)) {
    const asFollowUp = prior !== undefined && startsFollowUp(slots);
    let frames = asFollowUp
      ? []
      : build(
          tr,
          slots.map((s) => ({ ...s })),
          false,
          errors,
        );
    if (frames.length === 0 && prior) {
      const fragments = build(
        tr,
        slots.map((s) => ({ ...s })),
        true,
        errors,
      );
      frames = fragments.flatMap((f) => {
        try {
          return [mergeFollowUp(prior, f, slots)];
        } catch (err) {
          if (err instanceof BuildError) errors.push(err);
          else throw err;
          return [];
        }
      });
      if (frames.length > 0) followUp = true;
    }
    const named = new Set(slots.flatMap((s) => (s.term.t === 'entity' ? [s.term.table] : [])));
    for (const f of frames) candidates.push(...plan(tr, f, errors).map((c) => ({ ...c, named })));
  }
  let distinct = [...new Map(candidates.map((c) => [c.sql, c])).values()];
  if (distinct.length > 1) {
    // A word that names columns of several tables ("country", "unit price") means the one on
    // the table the question is about: the entity it names ("customers from Brazil").
    const own = distinct.filter((c) => c.named.has(c.plan.base));
    // Of those, the one that stays on that table ("customers per country": the customers').
    const fewest = Math.min(...own.map((c) => c.plan.joins.length));
    const nearest = own.filter((c) => c.plan.joins.length === fewest);
    if (own.length === 1) distinct = own;
    else if (nearest.length === 1) distinct = nearest;
  }
  if (distinct.length === 1) {
    const c = distinct[0] as Candidate;
    return { ok: true, ...c, followUp };
  }
  if (distinct.length > 1) {
    const readings = [...new Set(distinct.map((c) => c.reading))];
    return refuse(
      'AMBIGUOUS',
      `The question can be read in ${readings.length} ways; say which one you mean.`,
      readings,
    );
  }
  const first = errors.find((e) => e instanceof BuildError) ?? errors[0];
  if (first instanceof BuildError && first.readings.length > 0) {
    return refuse('AMBIGUOUS', first.message, first.readings);
  }
  return refuse('NOT_UNDERSTOOD', first?.message ?? 'I could not turn the question into a query.');
}
