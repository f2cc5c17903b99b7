import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  formatRatio,
  formatValue,
  markdownTable,
  meetsTarget,
  percentile,
  readStage,
} from './report.ts';

describe('percentile', () => {
  it('takes the nearest rank', () => {
    const xs = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1, unsorted on purpose
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile([3, 1, 2], 50)).toBe(2);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('the table', () => {
  it('prints each figure with its unit, its baseline and Querylane ÷ baseline', () => {
    const table = markdownTable([
      {
        id: '1',
        measure: 'delivered events/s',
        unit: 'events/s',
        querylane: 20_201.4,
        baseline: 106_214,
        baselineLabel: 'raw ws',
      },
      {
        id: '3',
        measure: 'p50',
        unit: 'ms',
        querylane: 36.56,
        baseline: 0.106,
        baselineLabel: 'echo',
        target: { on: 'value', max: 3 },
      },
      {
        id: '4',
        measure: 'ingest',
        unit: 'events/s',
        querylane: 40_000,
        baseline: 100_000,
        baselineLabel: 'raw',
        target: { on: 'ratio', min: 0.3 },
      },
    ]);
    expect(table.split('\n')).toEqual([
      '| # | measure | Querylane | baseline | Querylane ÷ baseline | target |',
      '|---|---|--:|--:|--:|---|',
      '| 1 | delivered events/s | 20,201 events/s | 106,214 events/s (raw ws) | 0.19× |  |',
      '| 3 | p50 | 36.6 ms | 0.11 ms (echo) | 345× | ≤ 3 ms ✗ MISS |',
      '| 4 | ingest | 40,000 events/s | 100,000 events/s (raw) | 0.40× | ≥ 0.3× ✓ |',
    ]);
  });

  it('checks a target on the ratio or on the figure itself, at its bounds', () => {
    const row = {
      id: '1',
      measure: 'm',
      unit: 'ms',
      querylane: 3,
      baseline: 1,
      baselineLabel: 'b',
    };
    expect(meetsTarget(row)).toBeUndefined();
    expect(meetsTarget({ ...row, target: { on: 'ratio', max: 3 } })).toBe(true);
    expect(meetsTarget({ ...row, target: { on: 'ratio', max: 2.9 } })).toBe(false);
    expect(meetsTarget({ ...row, target: { on: 'value', max: 3 } })).toBe(true);
    expect(meetsTarget({ ...row, target: { on: 'value', min: 4 } })).toBe(false);
    expect(meetsTarget({ ...row, baseline: 0, target: { on: 'ratio', max: 3 } })).toBeUndefined();
  });

  it('says n/a rather than Infinity or NaN', () => {
    expect(formatRatio({ querylane: 1, baseline: 0 })).toBe('n/a');
    expect(formatValue(Number.NaN, 'ms')).toBe('n/a');
    expect(formatRatio({ querylane: 2.5, baseline: 1 })).toBe('2.5×');
  });
});

describe('readStage', () => {
  it('takes rows written in this run and reports old or missing files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'querylane-bench-report-'));
    try {
      const row = {
        id: '4',
        measure: 'm',
        unit: 'u',
        querylane: 1,
        baseline: 2,
        baselineLabel: 'b',
      };
      writeFileSync(
        join(dir, 'db.json'),
        JSON.stringify({ source: 'db', at: '2030-01-01T00:00:00Z', rows: [row] }),
      );
      writeFileSync(
        join(dir, 'engine.json'),
        JSON.stringify({ source: 'e', at: '2020-01-01T00:00:00Z', rows: [row] }),
      );
      const since = new Date('2025-01-01T00:00:00Z');
      expect(readStage(dir, 'db', since)).toEqual({ rows: [row] });
      expect(readStage(dir, 'engine', since).rows).toEqual([]);
      expect(readStage(dir, 'engine', since).problem).toMatch(/before this run/);
      expect(readStage(dir, 'other', since).problem).toMatch(/missing/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
