import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profileColumns, suggestChart, summarize } from './interpret.ts';

let dir: string;
let db: Database.Database;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'querylane-interpret-'));
  db = new Database(join(dir, 'profile.db'));
  db.exec(`
    CREATE TABLE sales (category TEXT, amount REAL, qty INTEGER, day TEXT, note, empty);
    INSERT INTO sales VALUES
      ('Books', 10.5, 1, '2024-01-03', 'x', NULL),
      ('Toys', 20, 2, '2024-01-01', 5, NULL),
      ('Books', 4.5, NULL, '2024-02-10 10:00:00', NULL, NULL),
      (NULL, 7, 3, '2024-01-01', x'00ff', NULL),
      ('Garden', NULL, 3, NULL, 2.5, NULL),
      ('Books', 3, 1, '2024-01-03', 'x', NULL);
  `);
});

afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('profileColumns', () => {
  it('profiles a real SQLite result exactly', () => {
    const stmt = db.prepare('SELECT * FROM sales').raw(true);
    const profile = profileColumns(stmt.columns(), stmt.all() as unknown[][]);
    expect(profile).toEqual([
      {
        name: 'category',
        type: 'text',
        nulls: 1,
        distinct: 3,
        top: [
          { value: 'Books', count: 3 },
          { value: 'Garden', count: 1 },
          { value: 'Toys', count: 1 },
        ],
      },
      // 20.0 and 7.0 come back as JS integers; mixed with fractions the column is real.
      { name: 'amount', type: 'real', nulls: 1, distinct: 5, min: 3, max: 20, mean: 9 },
      { name: 'qty', type: 'integer', nulls: 1, distinct: 3, min: 1, max: 3, mean: 2 },
      {
        name: 'day',
        type: 'date',
        nulls: 1,
        distinct: 3,
        min: '2024-01-01',
        max: '2024-02-10 10:00:00',
        top: [
          { value: '2024-01-01', count: 2 },
          { value: '2024-01-03', count: 2 },
          { value: '2024-02-10 10:00:00', count: 1 },
        ],
      },
      { name: 'note', type: 'mixed', nulls: 1, distinct: 4 },
      { name: 'empty', type: 'null', nulls: 6, distinct: 0 },
    ]);
  });

  it('keeps text that only partly looks like dates as text, and keeps the top five', () => {
    const rows = [['2024-01-01'], ['soon'], ['2024-13-01'], ['b'], ['a'], ['c'], ['d'], ['b']];
    expect(profileColumns([{ name: 'when' }], rows)).toEqual([
      {
        name: 'when',
        type: 'text',
        nulls: 0,
        distinct: 7,
        top: [
          { value: 'b', count: 2 },
          { value: '2024-01-01', count: 1 },
          { value: '2024-13-01', count: 1 },
          { value: 'a', count: 1 },
          { value: 'c', count: 1 },
        ],
      },
    ]);
  });

  it('recognises blobs and counts equal blobs once', () => {
    const rows = [[Uint8Array.of(1, 2)], [Uint8Array.of(1, 2)], [Uint8Array.of(3)], [null]];
    expect(profileColumns([{ name: 'bytes' }], rows)).toEqual([
      { name: 'bytes', type: 'blob', nulls: 1, distinct: 2 },
    ]);
  });
});

function summaryOf(columns: string[], rows: unknown[][], rowCount = rows.length): string {
  const profile = profileColumns(
    columns.map((name) => ({ name })),
    rows,
  );
  return summarize({ rows, rowCount, truncated: rowCount > rows.length, profile });
}

describe('summarize', () => {
  it('describes size, the first numeric column and the most common value', () => {
    expect(
      summaryOf(
        ['category', 'revenue'],
        [
          ['Books', 1203.5],
          ['Toys', 98120],
          ['Books', 500],
        ],
      ),
    ).toBe(
      '3 rows × 2 columns. revenue ranges from 500 to 98,120 (mean 33,274.5). Most common category: Books (2 rows).',
    );
  });

  it('mentions truncation', () => {
    const rows = Array.from({ length: 1000 }, (_, i) => [i + 1, 'same']);
    expect(summaryOf(['id', 'label'], rows, 52_310)).toBe(
      '52,310 rows × 2 columns, showing the first 1,000 of 52,310 rows. Most common label: same (1,000 rows).',
    );
  });

  it('handles empty results, single values and date ranges', () => {
    expect(summaryOf(['a', 'b'], [])).toBe('The query returned no rows (2 columns).');
    expect(summaryOf(['total'], [[1234.567]])).toBe('1 row × 1 column: total = 1,234.57.');
    expect(
      summaryOf(
        ['month', 'orders'],
        [
          ['2024-01-01', 5],
          ['2024-02-01', 5],
        ],
      ),
    ).toBe('2 rows × 2 columns. orders is 5 in every row. month spans 2024-01-01 to 2024-02-01.');
  });
});

describe('suggestChart', () => {
  const chartOf = (columns: string[], rows: unknown[][]) =>
    suggestChart(
      profileColumns(
        columns.map((name) => ({ name })),
        rows,
      ),
    );

  it('suggests bar, line and scatter for the matching two-column shapes', () => {
    expect(
      chartOf(
        ['category', 'revenue'],
        [
          ['Books', 1],
          ['Toys', 2],
        ],
      ),
    ).toEqual({ kind: 'bar', x: 'category', y: 'revenue' });
    expect(
      chartOf(
        ['revenue', 'month'],
        [
          [1.5, '2024-01-01'],
          [2, '2024-02-01'],
        ],
      ),
    ).toEqual({ kind: 'line', x: 'month', y: 'revenue' });
    expect(
      chartOf(
        ['price', 'sold'],
        [
          [1, 10],
          [2, 4],
        ],
      ),
    ).toEqual({ kind: 'scatter', x: 'price', y: 'sold' });
  });

  it('draws the first measure when one label has several measures', () => {
    expect(
      chartOf(
        ['category', 'order_id', 'items', 'revenue'],
        [
          ['Books', 1, 3, 10.5],
          ['Toys', 2, 5, 20],
        ],
      ),
    ).toEqual({ kind: 'bar', x: 'category', y: 'items' });
  });

  it('suggests nothing for other shapes, for one row or for none', () => {
    expect(
      chartOf(
        ['a', 'b'],
        [
          ['x', 'y'],
          ['z', 'w'],
        ],
      ),
    ).toBeUndefined();
    expect(
      chartOf(
        ['a', 'b', 'c'],
        [
          ['x', 'p', 2],
          ['y', 'q', 4],
        ],
      ),
    ).toBeUndefined();
    expect(
      chartOf(
        ['day', 'customer_id'],
        [
          ['2024-01-01', 7],
          ['2024-01-02', 9],
        ],
      ),
    ).toBeUndefined();
    expect(chartOf(['category', 'revenue'], [['Books', 1]])).toBeUndefined();
    expect(chartOf(['category', 'revenue'], [])).toBeUndefined();
  });
});
