// Pure text helpers of the question field: whether what was typed is plainly SQL (the composer
// then suggests switching to SQL mode), and the word at the caret that suggestions complete.

/**
 * Plainly SQL: `WITH name AS (`, or SELECT with SQL's own shape after it — `*`, a call such as
 * `count(`, an `=`, a trailing semicolon, or FROM a table (one of `tables`, when they are
 * known). "Select the top 5 products by revenue" or "select customers from Lisbon" are English
 * that starts like SQL, and are left alone.
 */
export function looksLikeSql(text: string, tables?: readonly string[]): boolean {
  const t = text.trim();
  if (/^with\s+(recursive\s+)?["`\w]+(\s*\([^)]*\))?\s+as\s*\(/i.test(t)) return true;
  if (!/^select\s/i.test(t)) return false;
  if (/^select\s+(distinct\s+)?\*/i.test(t) || /\w\(|=|;\s*$/.test(t)) return true;
  const from = /\bfrom\s+["`[]?(\w+)/i.exec(t)?.[1]?.toLowerCase();
  if (from === undefined) return false;
  return tables === undefined || tables.some((name) => name.toLowerCase() === from);
}

export interface WordAt {
  /** Where the word starts and ends in the text. */
  start: number;
  end: number;
  word: string;
}

/** The word the caret is in or just after (letters, digits, `_`, `-`, `'`); empty between words. */
export function wordAt(text: string, caret: number): WordAt {
  const isWord = (ch: string | undefined) => ch !== undefined && /[\p{L}\p{N}_'-]/u.test(ch);
  let start = Math.max(0, Math.min(caret, text.length));
  let end = start;
  while (start > 0 && isWord(text[start - 1])) start--;
  while (end < text.length && isWord(text[end])) end++;
  return { start, end, word: text.slice(start, end) };
}

/** `text` with the word at `at` replaced by `insert` and a space, and where the caret goes. */
export function replaceWord(
  text: string,
  at: WordAt,
  insert: string,
): { text: string; caret: number } {
  const after = text.slice(at.end);
  const spaced = after.startsWith(' ') ? insert : `${insert} `;
  const next = text.slice(0, at.start) + spaced + after;
  return { text: next, caret: at.start + spaced.length + (after.startsWith(' ') ? 1 : 0) };
}
