import type { RunEvent } from '@querylane/client';
import { describe, expect, it } from 'vitest';
import { advance, initialProgress, renderProgress } from './progress.ts';

const base = { runId: 'r1', at: new Date(0) };
const events: RunEvent[] = [
  { ...base, seq: 1, type: 'started', query: 'SELECT 1', datasetId: 'shop' },
  { ...base, seq: 2, type: 'stage', stage: 'plan', progress: 10, message: 'Planning' },
  { ...base, seq: 3, type: 'stage', stage: 'execute', progress: 40, message: 'Running' },
  { ...base, seq: 4, type: 'rows', fetched: 1500 },
];

describe('progress', () => {
  it('follows the stage and percent, and counts rows', () => {
    const state = events.reduce(advance, initialProgress);
    expect(state).toEqual({ percent: 40, label: 'execute', rows: 1500, runId: 'r1' });
    expect(renderProgress(state, 80)).toBe(
      `${'█'.repeat(10)}${'░'.repeat(14)}  40%  execute  1,500 rows`,
    );
  });

  it('never goes backwards and ends at 100 on completion', () => {
    const late = advance(
      { ...initialProgress, percent: 75 },
      { ...base, seq: 5, type: 'stage', stage: 'execute', progress: 60, message: '' },
    );
    expect(late.percent).toBe(75);
    const failed = advance(late, {
      ...base,
      seq: 6,
      type: 'failed',
      error: { code: 'TIMEOUT', message: 'too slow', retryable: true },
    });
    expect(failed.label).toBe('failed: TIMEOUT');
  });

  it('shows the place in line, and an event type added to the server later as it comes', () => {
    const queued: RunEvent = { ...base, seq: 2, type: 'queued', position: 3 };
    expect(advance(initialProgress, queued).label).toBe('queued, #3 in line');
    const next: RunEvent = { ...base, seq: 3, type: 'queued', position: 1 };
    expect(advance(initialProgress, next).label).toBe('queued, next to run');
    const unknown = { ...base, seq: 4, type: 'paused', until: 5 } as unknown as RunEvent;
    expect(advance(initialProgress, unknown).label).toBe('paused until=5');
  });

  it('fits the line into narrow terminals', () => {
    const line = renderProgress({ ...initialProgress, label: 'x'.repeat(100) }, 40);
    expect(line).toHaveLength(39);
    expect(line.endsWith('…')).toBe(true);
  });
});
