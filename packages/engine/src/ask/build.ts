// Builds a frame from a question's terms: passes read time, values, shares, rankings, aggregates,
// groups, subjects and comparisons; what is left must fit as a plain measure, a counted entity or
// context, or the question is refused naming the words that did not fit. Never a guess.
import { applyDefaults } from './build-defaults.ts';
import { readGroups, readShare, readSort, readSubject, readValues } from './build-groups.ts';
import { readLeftovers } from './build-leftovers.ts';
import { readAggregates, readCompare, readRank } from './build-measures.ts';
import { BuildError, isFiller, type Slot, type State } from './build-state.ts';
import { readTime } from './build-time.ts';
import { emptyFrame, type Frame } from './frame.ts';
import type { SemanticModel } from './model.ts';

export { AmbiguityError } from './build-state.ts';

// Glue that may stay unused: it never changes what is asked.
const SOFT = new Set(['filler', 'which', 'and', 'or', 'to', 'since', 'followup']);

export function buildFrame(
  model: SemanticModel,
  slots: Slot[],
  opts: { fragment: boolean },
): Frame {
  const st: State = {
    model,
    slots,
    frame: emptyFrame(),
    slotMeasure: new Map(),
    fragment: opts.fragment,
  };
  for (const s of slots) if (isFiller(s)) s.used = true;
  readTime(st);
  readValues(st);
  readShare(st);
  readRank(st);
  readAggregates(st);
  readGroups(st);
  readSort(st);
  readSubject(st);
  readCompare(st);
  readLeftovers(st);
  const left = slots.filter((s) => !s.used && !(s.term.t === 'keyword' && SOFT.has(s.term.kw.k)));
  if (left.length > 0) {
    const words = left.map((s) => s.words);
    throw new BuildError(
      `I could not tell how ${words.map((w) => `"${w}"`).join(', ')} fit${words.length === 1 ? 's' : ''} the question.`,
      words,
    );
  }
  applyDefaults(st);
  return st.frame;
}
