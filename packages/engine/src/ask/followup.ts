// Follow-ups: "and by channel?", "only 2024", "top 3 instead", "what about returned orders?"
// are fragments; merged into the previous turn's frame they make a standalone question.
import { BuildError, kw, type Slot } from './build-state.ts';
import { type Frame, isTimeFilter } from './frame.ts';

/** A question that opens like a follow-up ("and …", "only …", "what about …") or says "instead". */
export function startsFollowUp(slots: readonly Slot[]): boolean {
  const first = slots.find((s) => kw(s)?.k !== 'filler');
  const k = kw(first)?.k;
  return k === 'followup' || k === 'and' || slots.some((s) => /^(instead|rather)$/i.test(s.words));
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

export function mergeFollowUp(prior: Frame, fragment: Frame, slots: readonly Slot[]): Frame {
  const instead = slots.some((s) => /^(instead|rather)$/i.test(s.words));
  const out = structuredClone(prior);
  const frag = structuredClone(fragment);
  if (frag.measures.length > 0) {
    out.measures = frag.measures;
    if (out.rank) out.rank.measure = frag.rank?.measure ?? 0;
    out.filters = out.filters.filter((f) => f.kind !== 'compare');
  }
  if (frag.groups.length > 0) {
    out.groups =
      instead || frag.rank
        ? frag.groups
        : [...out.groups, ...frag.groups.filter((g) => !out.groups.some((x) => same(x, g)))];
  }
  for (const f of frag.filters) {
    if (isTimeFilter(f)) out.filters = out.filters.filter((x) => !isTimeFilter(x));
    if (f.kind === 'values') {
      out.filters = out.filters.filter(
        (x) => !(x.kind === 'values' && x.table === f.table && x.column === f.column),
      );
    }
    out.filters.push(f);
  }
  if (frag.rank) {
    const measure =
      frag.rank.measure >= 0 && frag.measures.length > 0
        ? frag.rank.measure
        : (out.rank?.measure ?? 0);
    // "bottom ones instead" keeps the earlier number; with none to keep, the number is not guessed.
    const limit = frag.rank.said ? frag.rank.limit : out.rank?.limit;
    if (limit === undefined) throw new BuildError('Say how many, for example "top 5 instead".');
    out.rank = { ...frag.rank, measure, limit };
  }
  if (frag.share) out.share = true;
  if (frag.time) out.time = frag.time;
  out.context = [...new Set([...out.context, ...frag.context])];
  const changed =
    frag.measures.length +
    frag.groups.length +
    frag.filters.length +
    (frag.rank ? 1 : 0) +
    (frag.share ? 1 : 0) +
    (frag.time ? 1 : 0) +
    frag.context.length;
  if (changed === 0)
    throw new BuildError('I could not tell what to change in the previous question.');
  if (out.rank && out.groups.length === 0)
    throw new BuildError('A ranking needs something to rank, for example "by channel".');
  return out;
}
