import { describe, expect, it } from 'vitest';
import { buildChartModel, MAX_BARS, niceTicks } from './chart.ts';
import type { RunResult } from './trpc/types.ts';

function result(columns: string[], rows: unknown[][]): RunResult {
  return {
    columns: columns.map((name) => ({ name, type: '' })),
    rows,
    rowCount: rows.length,
    truncated: false,
    elapsedMs: 1,
    profile: [],
    summary: '',
  };
}

describe('niceTicks', () => {
  it('covers the range with round steps', () => {
    expect(niceTicks(0, 97).map((t) => t.value)).toEqual([0, 25, 50, 75, 100]);
    expect(niceTicks(0.1, 0.3).map((t) => t.value)).toEqual([0.1, 0.15, 0.2, 0.25, 0.3]);
  });

  it('widens a single value into a range', () => {
    const ticks = niceTicks(5, 5);
    expect(ticks[0]!.value).toBeLessThan(5);
    expect(ticks.at(-1)!.value).toBeGreaterThan(5);
  });
});

describe('buildChartModel', () => {
  it('draws bars from zero over categories', () => {
    const model = buildChartModel(
      result(
        ['category', 'n'],
        [
          ['a', 3],
          ['b', 7],
        ],
      ),
      {
        kind: 'bar',
        x: 'category',
        y: 'n',
      },
    );
    expect(model?.categorical).toBe(true);
    expect(model?.points).toEqual([
      { label: 'a', x: 0, y: 3 },
      { label: 'b', x: 1, y: 7 },
    ]);
    expect(model?.yDomain[0]).toBe(0);
    expect(model!.yDomain[1]).toBeGreaterThanOrEqual(7);
  });

  it('caps bars and counts what it left out, skipping non-numeric values', () => {
    const rows = Array.from({ length: MAX_BARS + 5 }, (_, i) => [`c${i}`, i === 0 ? null : i]);
    const model = buildChartModel(result(['c', 'v'], rows), { kind: 'bar', x: 'c', y: 'v' });
    expect(model?.points).toHaveLength(MAX_BARS);
    expect(model?.omitted).toBe(5);
  });

  it('uses a numeric x axis for scatter plots', () => {
    const model = buildChartModel(
      result(
        ['x', 'y'],
        [
          [1, 10],
          [3, 30],
          ['no', 5],
        ],
      ),
      {
        kind: 'scatter',
        x: 'x',
        y: 'y',
      },
    );
    expect(model?.categorical).toBe(false);
    expect(model?.points.map((p) => p.x)).toEqual([1, 3]);
  });

  it('gives up when the chart names a column the result lacks', () => {
    expect(buildChartModel(result(['a'], [[1]]), { kind: 'line', x: 'a', y: 'b' })).toBeNull();
  });
});
