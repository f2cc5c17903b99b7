// Cells as text for spreadsheets, the same in the browser (copy, CSV of the kept rows) and on the
// server (CSV of every row): NULL is empty, blobs are hex, and text a spreadsheet would run as a
// formula (= + - @, tab or CR first) gets a leading ' so it stays text. Numbers are never touched.

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

/** One RFC 4180 field: quoted when a spreadsheet would otherwise split or mangle it. */
export function csvField(value: unknown): string {
  const text = defuse(value, cellText(value));
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV line (without its CRLF). */
export function csvLine(values: readonly unknown[]): string {
  return values.map(csvField).join(',');
}
