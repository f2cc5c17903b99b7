// The English a question is built from, apart from the dataset's own words: aggregates, ranking,
// grouping, comparisons, time, negation and the function words that carry no meaning of their own.
import type { Aggregate } from './model.ts';

export type TimeUnit = 'year' | 'quarter' | 'month' | 'week' | 'day';
export type CompareOp = '>' | '>=' | '<' | '<=' | '=';

export type Keyword =
  | { k: 'count' }
  | { k: 'distinct' }
  | { k: 'agg'; agg: Aggregate }
  /** Superlatives: ordering when there is a subject, else max/min. */
  | { k: 'rank'; dir: 'desc' | 'asc'; top?: true }
  | { k: 'group' }
  | { k: 'unit'; unit: TimeUnit; grouped?: true }
  | { k: 'which' }
  /** "sorted by revenue", "in ascending order": how to order the rows, keeping them all. */
  | { k: 'sort'; dir?: 'asc' | 'desc' }
  /** "most common", "most frequent": ranked by how many rows. */
  | { k: 'frequent' }
  | { k: 'compare'; op: CompareOp }
  | { k: 'between' }
  | { k: 'and' }
  | { k: 'or' }
  | { k: 'not' }
  | { k: 'share' }
  | { k: 'since' }
  | { k: 'before' }
  | { k: 'to' }
  | { k: 'relative'; unit: TimeUnit; back: number }
  | { k: 'last' }
  | { k: 'month'; month: number }
  | { k: 'quarter'; quarter: number }
  | { k: 'ordinal'; n: number }
  /** Words that mark a follow-up ("only 2024", "top 3 instead"); glue in a whole question. */
  | { k: 'followup' }
  | { k: 'filler' };

// Words that carry no meaning of their own in a data question; a model word with the same
// spelling (a column called "value") wins over them.
const FILLER_WORDS = `a an the of in on at for with within into about as is are was were be been
  being am do does did done have has had having there here who whom whose that this these those
  it its they them their our we us i me my you your please show list give tell find get display
  see can could would will should all any some ever so far overall altogether currently today
  much come came coming make made place placed placing generate generated generating earn earned
  bring brought produce produced compare comparing via breakdown split happen happened occur
  occurred record recorded write writes wrote written authored borrow borrows borrowed take takes
  took taken own owns owned belong belongs belonging associated related linked assigned hold holds
  held contain contains contained include includes included use uses used receive receives
  received sold bought purchased issued created ones work works worked working employed live
  lives lived living located based situated select retrieve fetch`
  .split(/\s+/)
  .filter(Boolean);

/** Verbs after which "by" names who did it, not a breakdown ("written by", "placed by"). */
export const AGENT_VERBS: ReadonlySet<string> = new Set(
  `written wrote made placed bought sold posted borrowed taken owned held created used received
  ordered purchased published done paid shipped delivered returned generated earned worked logged
  spent reported submitted booked`.split(/\s+/),
);

const MONTHS = [
  ['january', 'jan'],
  ['february', 'feb'],
  ['march', 'mar'],
  ['april', 'apr'],
  ['may'],
  ['june', 'jun'],
  ['july', 'jul'],
  ['august', 'aug'],
  ['september', 'sep', 'sept'],
  ['october', 'oct'],
  ['november', 'nov'],
  ['december', 'dec'],
];
const ORDINALS = [
  ['first', '1st'],
  ['second', '2nd'],
  ['third', '3rd'],
  ['fourth', '4th'],
];

/** Every keyword phrase (raw English; the lexicon normalises it) and what it means. */
export function keywordPhrases(): [string, Keyword][] {
  const out: [string, Keyword][] = [];
  const add = (phrases: string, kw: Keyword) => {
    for (const p of phrases.split(',')) out.push([p.trim(), kw]);
  };
  add('how many, number of, count of, count, no of, # of, #, num of, tally of', { k: 'count' });
  add('distinct, unique, different, separate', { k: 'distinct' });
  add('total, sum of, sum, in total, combined, how much, overall total, total amount of', {
    k: 'agg',
    agg: 'sum',
  });
  add('average, avg, mean, on average, typical', { k: 'agg', agg: 'avg' });
  add('maximum, max', { k: 'rank', dir: 'desc' });
  add('minimum, min', { k: 'rank', dir: 'asc' });
  add('highest, most, largest, biggest, greatest, best, higher, leading', {
    k: 'rank',
    dir: 'desc',
  });
  add('lowest, least, fewest, smallest, worst, lower', { k: 'rank', dir: 'asc' });
  add('top', { k: 'rank', dir: 'desc', top: true });
  add('bottom', { k: 'rank', dir: 'asc', top: true });
  add(
    'by, per, each, for each, in each, for every, every, across, by each, broken down by, breakdown by, split by, grouped by, group by, for all, in every, of each',
    { k: 'group' },
  );
  for (const [unit, adverbs] of [
    ['year', 'yearly, annual, annually, year by year, year over year, each year'],
    ['quarter', 'quarterly, quarter by quarter, each quarter'],
    ['month', 'monthly, month by month, each month, over time'],
    ['week', 'weekly, week by week, each week'],
    ['day', 'daily, day by day, each day, per day'],
  ] as const) {
    add(unit, { k: 'unit', unit });
    add(adverbs, { k: 'unit', unit, grouped: true });
  }
  add('which, what', { k: 'which' });
  // Not "order by": "orders by status" is a breakdown of orders.
  add('sorted by, sort by, ranked by, sorted, ranked', { k: 'sort' });
  add(
    'descending, in descending order, desc, highest first, from highest to lowest, largest first',
    { k: 'sort', dir: 'desc' },
  );
  add('ascending, in ascending order, asc, lowest first, from lowest to highest, smallest first', {
    k: 'sort',
    dir: 'asc',
  });
  add('common, frequent, often, usual', { k: 'frequent' });
  add('more than, greater than, over, above, exceeding, higher than, larger than, bigger than, >', {
    k: 'compare',
    op: '>',
  });
  add('at least, >=, or more, minimum of', { k: 'compare', op: '>=' });
  add('less than, fewer than, under, below, lower than, smaller than, <', {
    k: 'compare',
    op: '<',
  });
  add('at most, <=, or less, or fewer, maximum of, no more than', { k: 'compare', op: '<=' });
  add('exactly, equal to, equals, =', { k: 'compare', op: '=' });
  add('between', { k: 'between' });
  add('and, &, as well as, plus', { k: 'and' });
  add('or', { k: 'or' });
  add('not, excluding, except, other than, without, non, apart from, besides, but not, exclude', {
    k: 'not',
  });
  add(
    'share of, percentage of, percent of, % of, proportion of, fraction of, as a percentage, as a share, in percent, percentage, what percent, what percentage, %, share',
    { k: 'share' },
  );
  add('since, after, starting, from', { k: 'since' });
  add('before, until, till, prior to, up to', { k: 'before' });
  add('to, through, thru', { k: 'to' });
  for (const [unit, nouns] of [
    ['year', 'year'],
    ['quarter', 'quarter'],
    ['month', 'month'],
    ['week', 'week'],
    ['day', 'day'],
  ] as const) {
    add(`last ${nouns}, previous ${nouns}, past ${nouns}, prior ${nouns}`, {
      k: 'relative',
      unit,
      back: 1,
    });
    add(`this ${nouns}, current ${nouns}, latest ${nouns}`, { k: 'relative', unit, back: 0 });
  }
  add('last, past, previous, recent, latest', { k: 'last' });
  MONTHS.forEach((names, i) => {
    add(names.join(','), { k: 'month', month: i + 1 });
  });
  for (const n of [1, 2, 3, 4]) add(`q${n}`, { k: 'quarter', quarter: n });
  ORDINALS.forEach((names, i) => {
    add(names.join(','), { k: 'ordinal', n: i + 1 });
  });
  add(
    'only, just, instead, what about, how about, also, same, same for, but, now, then, rather, too',
    { k: 'followup' },
  );
  add(FILLER_WORDS.join(','), { k: 'filler' });
  return out;
}
