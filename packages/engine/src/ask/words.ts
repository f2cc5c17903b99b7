// Words of a question and of a schema, reduced to one comparable form: lower case, no accents,
// singular. The lexicon and the question go through the same functions, so they meet there.

export interface Token {
  /** The word as written (for messages). */
  raw: string;
  /** Lower case, no accents, singular; numbers as written without grouping commas. */
  norm: string;
  /** Set when the token is a number (digits, decimals, `10k`, `1.5m`). */
  number?: number;
}

const IRREGULAR: Readonly<Record<string, string>> = {
  people: 'person',
  men: 'man',
  women: 'woman',
  children: 'child',
  mice: 'mouse',
  feet: 'foot',
  teeth: 'tooth',
  geese: 'goose',
  indices: 'index',
  matrices: 'matrix',
  criteria: 'criterion',
  analyses: 'analysis',
  statuses: 'status',
  buses: 'bus',
  addresses: 'address',
};
const INVARIANT: ReadonlySet<string> = new Set(['series', 'species', 'news', 'data', 'sms']);

/** English singular of one lower-case word; good enough when both sides use it. */
export function singular(word: string): string {
  const irregular = IRREGULAR[word];
  if (irregular) return irregular;
  if (word.length <= 3 || INVARIANT.has(word) || !/^[a-z]+$/.test(word)) return word;
  if (/(ss|us|is)$/.test(word)) return word;
  if (word.endsWith('ies') && word.length > 4) return `${word.slice(0, -3)}y`;
  if (/(sses|xes|ches|shes|zzes)$/.test(word)) return word.slice(0, -2);
  if (word.endsWith('s')) return word.slice(0, -1);
  return word;
}

/** Lower case without diacritics ("São" → "sao"). */
export function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}

/** The parts of an identifier: `signup_date` → signup date, `orderItems` → order items. */
export function splitName(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

const NUMBER_WORDS: Readonly<Record<string, number>> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  fifteen: 15,
  twenty: 20,
  fifty: 50,
  hundred: 100,
  dozen: 12,
};
const SCALE: Readonly<Record<string, number>> = {
  k: 1e3,
  thousand: 1e3,
  m: 1e6,
  mn: 1e6,
  million: 1e6,
  b: 1e9,
  bn: 1e9,
  billion: 1e9,
};

// A number (1,234.5 or 2.5k), a word, or one of the symbols that carry meaning in a question.
const TOKEN =
  /\d+(?:st|nd|rd|th)\b|(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:k|m|bn|b)?\b|\d+(?:\.\d+)?|[a-z0-9]+|>=|<=|[<>=%#]/g;

/** Splits a question into tokens; apostrophes ("customer's", "weren't") are resolved first. */
export function tokenize(text: string): Token[] {
  const folded = fold(text)
    .replace(/[’`]/g, "'")
    .replace(/\b(\w+)n't\b/g, '$1 not')
    .replace(/'s\b/g, '')
    .replace(/'/g, ' ');
  const tokens: Token[] = [];
  for (const match of folded.matchAll(TOKEN)) {
    const raw = match[0];
    const numeric = /^([\d,]+(?:\.\d+)?)(k|m|bn|b)?$/.exec(raw);
    if (numeric) {
      const digits = (numeric[1] as string).replaceAll(',', '');
      const value = Number(digits) * (numeric[2] ? (SCALE[numeric[2]] ?? 1) : 1);
      tokens.push({ raw, norm: numeric[2] ? String(value) : digits, number: value });
      continue;
    }
    const scale = SCALE[raw];
    const previous = tokens.at(-1);
    if (scale && scale >= 1e3 && previous?.number !== undefined && raw.length > 1) {
      // "1.5 million": one number.
      previous.number *= scale;
      previous.norm = String(previous.number);
      previous.raw = `${previous.raw} ${raw}`;
      continue;
    }
    const word = NUMBER_WORDS[raw];
    if (word !== undefined) {
      tokens.push({ raw, norm: String(word), number: word });
      continue;
    }
    tokens.push({ raw, norm: singular(raw) });
  }
  return tokens;
}

/** The normalised form of a phrase, as lexicon keys hold it ("Order Items" → "order item"). */
export function normPhrase(text: string): string {
  return tokenize(text)
    .map((t) => t.norm)
    .join(' ');
}

/** Edit distance, for "did you mean" on names. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(
        Math.min(
          (prev[j] as number) + 1,
          (row[j - 1] as number) + 1,
          (prev[j - 1] as number) + cost,
        ),
      );
    }
    prev = row;
  }
  return prev[b.length] as number;
}

/** The candidate nearest to `name` (case-insensitive), if it is near enough to be a typo. */
export function nearest(name: string, candidates: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const c = candidate.toLowerCase();
    // A name contained in the other ("price" in "unit_price") is a strong hint.
    const contained = c.includes(lower) || lower.includes(c);
    const score = contained
      ? 0.5 + Math.abs(c.length - lower.length) / 100
      : editDistance(lower, c);
    if (score < bestScore) {
      bestScore = score;
      best = candidate;
    }
  }
  return bestScore <= Math.max(1, Math.floor(lower.length / 3)) ? best : undefined;
}

/** "a, b and c". */
export function listing(items: readonly string[], last = 'and'): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${last} ${items.at(-1)}`;
}
