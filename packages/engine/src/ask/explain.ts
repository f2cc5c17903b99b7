// Says in a few words what one placed phrase of a question meant, for refusals: the person sees
// what was understood next to the words that were not.
import type { Item } from './lexicon.ts';
import { entityOf, type SemanticModel } from './model.ts';
import { plural } from './reading.ts';

const KEYWORD_MEANING: Record<string, string> = {
  count: 'a count',
  distinct: 'distinct values',
  group: 'a breakdown',
  unit: 'a time unit',
  compare: 'a comparison',
  between: 'a range',
  not: 'an exclusion',
  share: 'a share in percent',
  since: 'a start date',
  before: 'an end date',
  relative: 'a recent period',
  last: 'a recent period',
  month: 'a month',
  quarter: 'a quarter',
  ordinal: 'an ordinal',
};

export function describeItem(model: SemanticModel, item: Item): string | undefined {
  const words = `"${item.tokens.map((t) => t.raw).join(' ')}"`;
  const meanings = item.terms.map((term): string | undefined => {
    switch (term.t) {
      case 'entity':
        return plural(entityOf(model, term.table).name);
      case 'verb':
        return `${plural(entityOf(model, term.table).name)} (context)`;
      case 'measure':
        return `the measure ${term.measure}`;
      case 'adjective':
        return `${term.dir === 'desc' ? 'high' : 'low'} ${term.measure}`;
      case 'dimension':
        return `${term.column} of ${plural(entityOf(model, term.table).name)}`;
      case 'value':
        return `${term.column} ${term.value}`;
      case 'time':
        return `the date ${term.column} of ${plural(entityOf(model, term.table).name)}`;
      case 'join':
        return `${plural(entityOf(model, term.from).name)} linked to ${plural(entityOf(model, term.to).name)}`;
      case 'number':
        return 'a number';
      case 'qualified':
        return undefined;
      default: {
        const k = term.kw;
        if (k.k === 'agg')
          return { sum: 'a total', avg: 'an average', min: 'a minimum', max: 'a maximum' }[k.agg];
        if (k.k === 'rank')
          return k.top
            ? `the ${k.dir === 'desc' ? 'top' : 'bottom'}`
            : `the ${k.dir === 'desc' ? 'highest' : 'lowest'}`;
        return KEYWORD_MEANING[k.k];
      }
    }
  });
  const known = [...new Set(meanings.filter((m): m is string => m !== undefined))];
  if (known.length === 0) return undefined;
  return `${words} → ${known.join(' or ')}`;
}
