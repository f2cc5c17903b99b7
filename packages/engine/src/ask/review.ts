// The review stage: every number, name and highest/lowest claim in an answer must agree with the
// result. Allowed numbers are cells and what follows from them (counts, totals, averages,
// shares, differences, ratios), within the rounding the answer wrote them with.

export interface ReviewInput {
  answer: string;
  columns: readonly { name: string }[];
  rows: readonly unknown[][];
  rowCount: number;
  /** The question and how it was read: their numbers ("top 5", "2024") and words are allowed. */
  context: readonly string[];
  /** Names the dataset knows (values of its dimensions): one that is not in the result is wrong. */
  knownNames?: readonly string[];
}

const MAX_PAIRS_ROWS = 60;
const SUPERLATIVE_DESC =
  /\b(highest|most|largest|biggest|greatest|top|best|leading|peak(?:ed|s)?|maximum)\b/i;
const SUPERLATIVE_ASC = /\b(lowest|least|fewest|smallest|bottom|worst|minimum)\b/i;
const NUMBER =
  /(?<![\w.-])(-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?)(\s*(?:%|percent\b|k\b|K\b|M\b|million\b|bn\b|billion\b|thousand\b))?/g;
const SCALE: Record<string, number> = {
  k: 1e3,
  thousand: 1e3,
  m: 1e6,
  million: 1e6,
  bn: 1e9,
  billion: 1e9,
};

const fold = (s: string): string =>
  s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
const WORD_CHAR = /[\p{L}\p{N}]/u;

/** Where `word` stands in `text` as a whole word (not inside another), or -1. */
function wordAt(text: string, word: string): number {
  for (let at = text.indexOf(word); at !== -1; at = text.indexOf(word, at + 1)) {
    const before = text[at - 1];
    const after = text[at + word.length];
    if ((!before || !WORD_CHAR.test(before)) && (!after || !WORD_CHAR.test(after))) return at;
  }
  return -1;
}

/** Every number the answer may state: cells and values derived from them. */
function allowedNumbers(input: ReviewInput): number[] {
  const out = new Set<number>([input.rowCount, input.rows.length, input.columns.length]);
  for (const text of input.context)
    for (const m of text.matchAll(/\d+(?:\.\d+)?/g)) out.add(Number(m[0]));
  const width = input.columns.length;
  for (let j = 0; j < width; j++) {
    const values: number[] = [];
    for (const row of input.rows) {
      const v = row[j];
      if (typeof v === 'number') values.push(v);
      else if (typeof v === 'string')
        for (const m of v.matchAll(/\d+(?:\.\d+)?/g)) out.add(Number(m[0]));
    }
    if (values.length === 0) continue;
    const total = values.reduce((a, b) => a + b, 0);
    out.add(total);
    out.add(total / values.length);
    out.add(values.length);
    out.add(new Set(values).size);
    for (const v of values) {
      out.add(v);
      if (total !== 0) out.add((100 * v) / total);
    }
    if (values.length <= MAX_PAIRS_ROWS) {
      for (const a of values) {
        for (const b of values) {
          out.add(Math.abs(a - b));
          if (b !== 0) {
            out.add(a / b);
            out.add((100 * (a - b)) / b);
            out.add(Math.abs((100 * (a - b)) / b));
          }
        }
      }
    }
  }
  return [...out].filter(Number.isFinite);
}

function numberClaims(answer: string, allowed: readonly number[]): string[] {
  // List markers ("1. ") and date-like labels ("2024-03", "Q4") are not claims of their own.
  const text = answer
    .replace(/^\s*\d+[.)]\s/gm, ' ')
    .replace(/\b\d{4}-(?:\d{2}|Q[1-4]|W\d{2})(?:-\d{2})?\b|\bQ[1-4]\b/g, ' ');
  const bad: string[] = [];
  for (const m of text.matchAll(NUMBER)) {
    const written = m[1] as string;
    const decimals = m[2]?.length ?? 0;
    const suffix = (m[3] ?? '').trim().toLowerCase();
    const scale = SCALE[suffix] ?? 1;
    const claimed = Number(written.replaceAll(',', '')) * scale;
    const tolerance = 0.5 * 10 ** -decimals * scale * (1 + 1e-9) + 1e-9;
    const percent = suffix === '%' || suffix === 'percent';
    const ok = allowed.some(
      (a) =>
        Math.abs(a - claimed) <= tolerance || (percent && Math.abs(a * 100 - claimed) <= tolerance),
    );
    if (!ok) bad.push(`the number ${m[0].trim()} is not in the result`);
  }
  return bad;
}

function nameClaims(input: ReviewInput, cells: ReadonlySet<string>): string[] {
  const bad: string[] = [];
  const context = fold(input.context.join(' '));
  const columns = new Set(
    input.columns.flatMap((c) => [fold(c.name), fold(c.name.replaceAll('_', ' '))]),
  );
  for (const m of input.answer.matchAll(/\*\*([^*]+)\*\*|`([^`]+)`/g)) {
    const name = fold((m[1] ?? m[2] ?? '').trim());
    if (name === '' || /^[-\d.,%\s]+$/.test(name)) continue;
    if (cells.has(name) || columns.has(name) || context.includes(name)) continue;
    bad.push(`"${(m[1] ?? m[2] ?? '').trim()}" is not in the result`);
  }
  const answer = fold(input.answer);
  for (const known of input.knownNames ?? []) {
    const k = fold(known);
    if (k.length < 3 || cells.has(k) || context.includes(k) || columns.has(k)) continue;
    if (wordAt(answer, k) !== -1) {
      bad.push(`"${known}" is named but is not in the result`);
    }
  }
  return bad;
}

/** "web has the highest revenue": the name must be at that end of some numeric column. */
function extremeClaims(input: ReviewInput): string[] {
  if (input.rows.length <= 1) return [];
  const labels: { text: string; rows: number[] }[] = [];
  const byText = new Map<string, number[]>();
  input.rows.forEach((row, r) => {
    for (const v of row) {
      if (typeof v !== 'string' || v.trim() === '') continue;
      const key = fold(v);
      byText.set(key, [...(byText.get(key) ?? []), r]);
    }
  });
  for (const [text, rows] of byText) labels.push({ text, rows });
  labels.sort((a, b) => b.text.length - a.text.length);
  const numeric = input.columns
    .map((_, j) => j)
    .filter((j) => input.rows.every((r) => typeof r[j] === 'number' || r[j] === null));
  const bad: string[] = [];
  const clauses = fold(input.answer).split(/[.;!?\n]|,\s|\bwhile\b|\bwhereas\b|\bbut\b|\band\b/);
  for (const clause of clauses) {
    const desc = SUPERLATIVE_DESC.test(clause);
    const asc = SUPERLATIVE_ASC.test(clause);
    if (desc === asc) continue;
    let first: { at: number; rows: number[]; text: string } | undefined;
    for (const l of labels) {
      const at = wordAt(clause, l.text);
      if (at !== -1 && (!first || at < first.at)) first = { at, rows: l.rows, text: l.text };
    }
    if (!first) continue;
    const extreme = numeric.some((j) => {
      const values = input.rows.map((r) => r[j] as number);
      const target = desc ? Math.max(...values) : Math.min(...values);
      return first.rows.some((r) => values[r] === target);
    });
    if (!extreme)
      bad.push(`"${first.text}" is not the ${desc ? 'highest' : 'lowest'} in the result`);
  }
  return bad;
}

/** The claims of `answer` that disagree with the result; empty when it may be shown. */
export function reviewAnswer(input: ReviewInput): string[] {
  const cells = new Set<string>();
  for (const row of input.rows)
    for (const v of row) if (v !== null && v !== undefined) cells.add(fold(String(v)));
  return [
    ...numberClaims(input.answer, allowedNumbers(input)),
    ...nameClaims(input, cells),
    ...extremeClaims(input),
  ];
}
