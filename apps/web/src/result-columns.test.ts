import { describe, expect, it } from 'vitest';
import { compareCells, initialWidth, numericColumns } from './result-columns.ts';

describe('numericColumns', () => {
  it('marks columns whose non-NULL values are all numbers', () => {
    const result = {
      columns: ['a', 'b', 'c', 'd'].map((name) => ({ name, type: '' })),
      rows: [
        [1, 'x', null, 2n],
        [null, 'y', null, 3n],
        [2.5, 3, null, null],
      ],
    };
    expect(numericColumns(result)).toEqual([true, false, false, true]);
  });
});

describe('compareCells', () => {
  it('orders NULL, numbers, text, blobs, and text the way people read it', () => {
    const values = ['b10', new Uint8Array([1, 2]), 'B2', 10, null, 2, 'a', new Uint8Array([1])];
    expect([...values].sort(compareCells)).toEqual([
      null,
      2,
      10,
      'a',
      'B2',
      'b10',
      new Uint8Array([1]),
      new Uint8Array([1, 2]),
    ]);
  });

  it('compares big integers with numbers', () => {
    expect(compareCells(3n, 2.5)).toBe(1);
    expect(compareCells(2, 2n)).toBe(0);
  });
});

describe('initialWidth', () => {
  it('grows with the content within bounds', () => {
    expect(initialWidth('n', [1, 2], true)).toBe(72);
    expect(initialWidth('name', ['a'.repeat(20)], false)).toBe(174);
    expect(initialWidth('note', ['x'.repeat(500)], false)).toBe(320);
    expect(initialWidth('total', [1234567890123], true)).toBe(122);
  });
});
