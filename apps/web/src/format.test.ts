import { describe, expect, it } from 'vitest';
import { formatCell, formatDuration, formatRelative, quoteIdent } from './format.ts';

describe('formatCell', () => {
  it('keeps NULL apart from empty text', () => {
    expect(formatCell(null)).toEqual({ kind: 'null', text: 'NULL' });
    expect(formatCell('')).toEqual({ kind: 'text', text: '' });
  });

  it('writes blobs by size, never their bytes', () => {
    expect(formatCell(new Uint8Array([1, 2, 3]))).toEqual({ kind: 'blob', text: '<blob 3 bytes>' });
  });

  it('leaves integers bare and rounds long fractions', () => {
    expect(formatCell(2024)).toEqual({ kind: 'number', text: '2024' });
    expect(formatCell(1 / 3).text).toBe('0.333333');
    expect(formatCell(12345678901234567890n)).toEqual({
      kind: 'number',
      text: '12345678901234567890',
    });
  });
});

describe('formatDuration', () => {
  it('picks a unit that reads well', () => {
    expect(formatDuration(0.2)).toBe('<1 ms');
    expect(formatDuration(42.4)).toBe('42 ms');
    expect(formatDuration(1530)).toBe('1.53 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
  });
});

describe('formatRelative', () => {
  const now = new Date('2025-06-01T12:00:00Z');
  it('says just now, minutes, hours and days', () => {
    expect(formatRelative(new Date('2025-06-01T11:59:50Z'), now)).toBe('just now');
    expect(formatRelative(new Date('2025-06-01T11:55:00Z'), now)).toBe('5 minutes ago');
    expect(formatRelative(new Date('2025-06-01T09:00:00Z'), now)).toBe('3 hours ago');
    expect(formatRelative(new Date('2025-05-31T12:00:00Z'), now)).toBe('yesterday');
  });
});

describe('quoteIdent', () => {
  it('quotes only names that need it', () => {
    expect(quoteIdent('order_items')).toBe('order_items');
    expect(quoteIdent('order items')).toBe('"order items"');
    expect(quoteIdent('we"ird')).toBe('"we""ird"');
  });
});
