// One run's fixtures for the fold's tests: its id, a timestamp, a result, and a full stream of
// its events from start to completion.
import type { Result, RunEvent } from '@querylane/client';

export const runId = 'run_1';
export const at = new Date('2025-01-01T00:00:00Z');

export const result: Result = {
  columns: [
    { name: 'category', type: 'TEXT' },
    { name: 'n', type: 'INTEGER' },
  ],
  rows: [
    ['books', 3],
    ['games', 5],
  ],
  rowCount: 2,
  truncated: false,
  elapsedMs: 4,
  profile: [],
  summary: '2 rows',
};

export const stream: RunEvent[] = [
  { seq: 1, runId, at, type: 'started', query: 'SELECT 1', datasetId: 'shop' },
  { seq: 2, runId, at, type: 'stage', stage: 'plan', progress: 10, message: 'Planning' },
  { seq: 3, runId, at, type: 'plan', steps: [{ id: 2, parent: 0, detail: 'SCAN products' }] },
  { seq: 4, runId, at, type: 'stage', stage: 'execute', progress: 40, message: 'Executing' },
  { seq: 5, runId, at, type: 'rows', fetched: 2 },
  { seq: 6, runId, at, type: 'completed', result },
];
