// The stored record over the fold behind useRun: it ends a stream cut short, never moves progress
// backwards, and an unknown event type changes nothing but the events.
import type { Run, RunEvent } from '@querylane/client';
import { describe, expect, it } from 'vitest';
import { applyEvent, applyEvents, initialRunView, withRecord } from './run-state.ts';
import { at, runId, stream } from './test/run-stream.ts';

describe('withRecord', () => {
  const record: Run = {
    id: runId,
    userId: 'local',
    conversationId: 'c1',
    datasetId: 'shop',
    kind: 'sql',
    query: 'SELECT 1',
    status: 'interrupted',
    stage: 'execute',
    progress: 40,
    lastSeq: 4,
    createdAt: at,
    startedAt: at,
    finishedAt: at,
    result: null,
    chart: null,
    error: { code: 'INTERRUPTED', message: 'The server stopped', retryable: true },
  };

  it('lets the stored record end a stream that stopped without a terminal event', () => {
    const seen = applyEvents(initialRunView(runId), stream.slice(0, 4));
    const view = withRecord(seen, record);
    expect(view).toMatchObject({
      status: 'interrupted',
      progress: 100,
      message: 'The server stopped',
      error: record.error,
      plan: seen.plan,
    });
    expect(view.events).toEqual(stream.slice(0, 4));
  });

  it('never moves progress backwards for a run still going', () => {
    const seen = applyEvents(initialRunView(runId), stream.slice(0, 4));
    const view = withRecord(seen, { ...record, status: 'running', progress: 20, error: null });
    expect(view).toMatchObject({ status: 'running', progress: 40 });
  });

  it('keeps an event type newer than this package in events, changing nothing else', () => {
    const seen = applyEvents(initialRunView(runId), stream.slice(0, 2));
    const future = { seq: 3, runId, at, type: 'thought', text: '42' } as unknown as RunEvent;
    const next = applyEvent(seen, future);
    expect(next.events.at(-1)).toBe(future);
    expect({ ...next, events: seen.events, lastSeq: 2 }).toEqual(seen);
  });
});
