// Turns a result into RFC 4180 CSV so an analyst can take the kept rows to a spreadsheet.
import type { RunResult } from './trpc/types.ts';

function field(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text: string;
  if (value instanceof Uint8Array) {
    // Blobs go out as hex, the same spelling SQLite's X'..' literals use.
    text = Array.from(value, (b) => b.toString(16).padStart(2, '0')).join('');
  } else if (typeof value === 'string') {
    text = value;
  } else if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
    text = String(value);
  } else if (value instanceof Date) {
    text = value.toISOString();
  } else {
    text = JSON.stringify(value) ?? String(value);
  }
  // Quote when a spreadsheet would otherwise split or mangle the field.
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(result: Pick<RunResult, 'columns' | 'rows'>): string {
  const lines = [result.columns.map((c) => field(c.name)).join(',')];
  for (const row of result.rows) lines.push(row.map(field).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
