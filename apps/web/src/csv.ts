// Turns result rows into text for other programs: RFC 4180 CSV, TSV and a markdown table. Text
// that a spreadsheet would run as a formula (= + - @, tab, CR first) is prefixed with ' so it
// stays text (CSV/formula injection); numbers are never touched.
import type { RunResult } from './trpc/types.ts';

type Table = Pick<RunResult, 'columns' | 'rows'>;

const FORMULA_START = /^[=+\-@\t\r]/;

/** A value as plain text: NULL is empty, blobs are hex (SQLite's X'..' spelling). */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Uint8Array) {
    return Array.from(value, (b) => b.toString(16).padStart(2, '0')).join('');
  }
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
    return String(value);
  }
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value) ?? String(value);
}

/** Text values that would start a formula get a leading apostrophe. */
export function defuse(value: unknown, text: string): string {
  return typeof value === 'string' && FORMULA_START.test(text) ? `'${text}` : text;
}

function csvField(value: unknown): string {
  const text = defuse(value, cellText(value));
  // Quote when a spreadsheet would otherwise split or mangle the field.
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(result: Table): string {
  const lines = [result.columns.map((c) => csvField(c.name)).join(',')];
  for (const row of result.rows) lines.push(row.map(csvField).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

function tsvField(value: unknown): string {
  const text = defuse(value, cellText(value));
  // Spreadsheets read quoted fields in pasted TSV the way they do in CSV.
  return /[\t"\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Tab-separated, for pasting into a spreadsheet. */
export function toTsv(result: Table): string {
  const lines = [result.columns.map((c) => tsvField(c.name)).join('\t')];
  for (const row of result.rows) lines.push(row.map(tsvField).join('\t'));
  return `${lines.join('\n')}\n`;
}

function mdField(value: unknown): string {
  const text = value === null || value === undefined ? 'NULL' : cellText(value);
  return text.replaceAll('\\', '\\\\').replaceAll('|', '\\|').replace(/\r?\n/g, '<br>');
}

/** A GitHub-flavoured markdown table; numeric columns are right-aligned. */
export function toMarkdown(result: Table, numeric: readonly boolean[] = []): string {
  const head = `| ${result.columns.map((c) => mdField(c.name)).join(' | ')} |`;
  const rule = `|${result.columns.map((_, i) => (numeric[i] ? ' ---: ' : ' --- ')).join('|')}|`;
  const body = result.rows.map((row) => `| ${row.map(mdField).join(' | ')} |`);
  return `${[head, rule, ...body].join('\n')}\n`;
}
