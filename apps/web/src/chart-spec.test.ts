import { describe, expect, it } from 'vitest';
import { chartData, fitSpec, MAX_BARS, suggestChart, toDate, xKind } from './chart-spec.ts';

function table(
  names: string[],
  rows: unknown[][],
  chart?: { kind: 'bar' | 'line' | 'scatter'; x: string; y: string },
) {
  return { columns: names.map((name) => ({ name, type: '' })), rows, ...(chart ? { chart } : {}) };
}

describe('suggestChart', () => {
  it('draws a monthly series as a line even when the server said bars', () => {
    const t = table(
      ['month', 'orders'],
      [
        ['2024-01', 5],
        ['2024-02', 7],
        ['2024-03', 6],
      ],
      {
        kind: 'bar',
        x: 'month',
        y: 'orders',
      },
    );
    expect(xKind(t, 'month')).toBe('temporal');
    expect(suggestChart(t)).toEqual({ type: 'line', x: 'month', y: ['orders'], series: null });
  });

  it('plots every varying measure, the server’s first, and never a constant column', () => {
    const t = table(
      ['platform', 'one', 'avg_likes', 'avg_shares'],
      [
        ['a', 1, 10.5, 2],
        ['b', 1, 12, 3],
        ['c', 1, 9, 1],
      ],
      { kind: 'bar', x: 'platform', y: 'avg_shares' },
    );
    expect(suggestChart(t)).toEqual({
      type: 'bar',
      x: 'platform',
      y: ['avg_shares', 'avg_likes'],
      series: null,
    });
    expect(
      suggestChart(
        table(
          ['k', 'n'],
          [
            ['a', 1],
            ['b', 1],
          ],
        ),
      ),
    ).toBeNull();
  });

  it('splits repeated x values by a small categorical column', () => {
    const t = table(
      ['month', 'channel', 'orders', 'revenue'],
      [
        ['2024-01', 'web', 3, 30],
        ['2024-01', 'store', 4, 44],
        ['2024-02', 'web', 5, 50],
        ['2024-02', 'store', 1, 11],
      ],
    );
    expect(suggestChart(t)).toEqual({ type: 'line', x: 'month', y: ['orders'], series: 'channel' });
  });

  it('puts numbers against numbers as points, and offers nothing for one row', () => {
    expect(
      suggestChart(
        table(
          ['price', 'sold'],
          [
            [1, 5],
            [2, 3],
            [3, 9],
          ],
        ),
      )?.type,
    ).toBe('line');
    expect(
      suggestChart(
        table(
          ['price', 'sold'],
          [
            [1, 5],
            [2, 3],
          ],
          { kind: 'bar', x: 'price', y: 'sold' },
        ),
      )?.type,
    ).toBe('scatter');
    expect(suggestChart(table(['a', 'n'], [['x', 1]]))).toBeNull();
  });
});

describe('fitSpec', () => {
  it('drops what the result does not have and refuses an x that is gone', () => {
    const t = table(['k', 'n', 'm', 'label'], [['a', 1, 2, 'x']]);
    expect(
      fitSpec(t, { type: 'line', x: 'k', y: ['n', 'gone', 'label', 'k', 'm'], series: 'nope' }),
    ).toEqual({ type: 'line', x: 'k', y: ['n', 'm'], series: null });
    expect(fitSpec(t, { type: 'bar', x: 'gone', y: ['n'], series: null })).toBeNull();
    expect(fitSpec(t, { type: 'bar', x: 'k', y: ['label'], series: null })).toBeNull();
  });
});

describe('chartData', () => {
  it('makes one point per row and measure, typed for the axis, keyed by measure', () => {
    const t = table(
      ['month', 'a', 'b'],
      [
        ['2024-01', 1, 2],
        ['2024-02', null, 4],
      ],
    );
    const data = chartData(t, { type: 'line', x: 'month', y: ['a', 'b'], series: null });
    expect(data.xKind).toBe('temporal');
    expect(data.keys).toEqual(['a', 'b']);
    expect(data.points).toEqual([
      { x: new Date('2024-01-01T00:00Z'), value: 1, key: 'a' },
      { x: new Date('2024-01-01T00:00Z'), value: 2, key: 'b' },
      { x: new Date('2024-02-01T00:00Z'), value: 4, key: 'b' },
    ]);
    expect(data.omitted).toBe(0);
  });

  it('keys by the series value, and caps bars', () => {
    const rows = Array.from({ length: MAX_BARS + 5 }, (_, i) => [`c${i}`, i % 2 ? 'x' : null, i]);
    const data = chartData(table(['k', 's', 'n'], rows), {
      type: 'bar',
      x: 'k',
      y: ['n'],
      series: 's',
    });
    expect(data.xKind).toBe('ordinal');
    expect(data.keys).toEqual(['NULL', 'x']);
    expect(data.points).toHaveLength(MAX_BARS);
    expect(data.omitted).toBe(5);
  });
});

describe('toDate', () => {
  it('reads the date spellings SQLite produces and nothing else', () => {
    expect(toDate('2024')?.toISOString()).toBe('2024-01-01T00:00:00.000Z');
    expect(toDate('2024-03-05 10:30:00')?.toISOString()).toBe('2024-03-05T10:30:00.000Z');
    expect(toDate('2024-03-05T10:30:00Z')?.toISOString()).toBe('2024-03-05T10:30:00.000Z');
    expect(toDate('March')).toBeNull();
    expect(toDate(2024)).toBeNull();
    expect(toDate('2024-13')).toBeNull();
  });
});
