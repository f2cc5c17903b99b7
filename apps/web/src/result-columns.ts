// What the result table needs to know about columns: which hold numbers (they align right and sort
// as numbers), how values compare across SQLite's types, and a starting width from the content.
import { cellText } from './csv.ts';
import type { RunResult } from './trpc/types.ts';

/** A column reads as numeric when every non-NULL value in it is a number (and there is one). */
export function numericColumns(result: Pick<RunResult, 'columns' | 'rows'>): boolean[] {
  return result.columns.map((_, c) => {
    let seen = false;
    for (const row of result.rows) {
      const v = row[c];
      if (v === null || v === undefined) continue;
      if (typeof v !== 'number' && typeof v !== 'bigint') return false;
      seen = true;
    }
    return seen;
  });
}

// SQLite's own order across storage classes: NULL, numbers, text, blobs.
function rank(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return 1;
  if (v instanceof Uint8Array) return 3;
  return 2;
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** Ascending order of two cell values, as SQLite would sort them (text by a human collation). */
export function compareCells(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 0) return 0;
  if (ra === 1) {
    const x = Number(a);
    const y = Number(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (ra === 3) return (a as Uint8Array).byteLength - (b as Uint8Array).byteLength;
  return collator.compare(cellText(a), cellText(b));
}

/**
 * A first width in pixels from the header and the first rows' text (about 7.5 px a character at
 * the table's font size), so short columns stay narrow and long ones start wide but bounded.
 */
export function initialWidth(name: string, values: unknown[], numeric: boolean): number {
  let longest = name.length + 2;
  for (let i = 0; i < Math.min(values.length, 50); i++) {
    longest = Math.max(longest, cellText(values[i]).length);
  }
  const px = Math.round(longest * 7.5 + 24);
  return Math.min(numeric ? 180 : 320, Math.max(72, px));
}
