// Turns the kept rows into text to paste elsewhere: TSV for a spreadsheet and a markdown table.
// Text a spreadsheet would run as a formula (= + - @, tab, CR first) gets a leading ' as in the
// server's CSV export, whose cell rules these share.
import { cellText, defuse } from '@querylane/contracts/csv';
import type { RunResult } from './trpc/types.ts';

export { cellText };

type Table = Pick<RunResult, 'columns' | 'rows'>;

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
