// The fold behind useRun: pure, so replays, reconnects and duplicate events are checked here.
// (The stored record over the fold: run-state-record.test.ts.)
import { isTerminalStatus, type RunEvent } from '@querylane/client';
import { describe, expect, it } from 'vitest';
import { applyEvent, applyEvents, initialRunView } from './run-state.ts';
import { at, result, runId, stream } from './test/run-stream.ts';

describe('applyEvent', () => {
  it('folds a full stream into a completed view', () => {
    const view = applyEvents(initialRunView(runId), stream);
    expect(view).toMatchObject({
      status: 'completed',
      lastSeq: 6,
      progress: 100,
      stage: 'execute',
      plan: [{ id: 2, parent: 0, detail: 'SCAN products' }],
      rowsFetched: 2,
      result,
      error: null,
      finishedAt: at,
    });
    expect(view.events).toEqual(stream);
  });

  it('shows a waiting run as queued with its place in line, then running once it starts', () => {
    const queued: RunEvent[] = [
      stream[0] as RunEvent,
      { seq: 2, runId, at, type: 'queued', position: 3 },
      { seq: 3, runId, at, type: 'queued', position: 1 },
    ];
    const third = applyEvents(initialRunView(runId), queued.slice(0, 2));
    expect(third).toMatchObject({
      status: 'queued',
      message: 'Queued: #3 in line',
      queuePosition: 3,
      lastSeq: 2,
    });
    const next = applyEvent(third, queued[2] as RunEvent);
    expect(next).toMatchObject({ status: 'queued', message: 'Queued: next to run', lastSeq: 3 });
    const running = applyEvent(next, {
      seq: 4,
      runId,
      at,
      type: 'stage',
      stage: 'plan',
      progress: 10,
      message: 'Planning',
    });
    expect(running).toMatchObject({
      status: 'running',
      progress: 10,
      message: 'Planning',
      queuePosition: null,
    });
  });

  it('tracks stage, message and rows while running', () => {
    const view = applyEvents(initialRunView(runId), stream.slice(0, 5));
    expect(view.status).toBe('running');
    expect(view.progress).toBe(40);
    expect(view.message).toBe('Executing');
    expect(view.rowsFetched).toBe(2);
    expect(isTerminalStatus(view.status)).toBe(false);
  });

  it('drops events it already folded, so a replay after reconnect is harmless', () => {
    const once = applyEvents(initialRunView(runId), stream.slice(0, 4));
    const replayed = applyEvents(once, stream);
    expect(replayed).toEqual(applyEvents(initialRunView(runId), stream));
    expect(replayed.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    // The same event object twice changes nothing the second time.
    expect(applyEvent(once, stream[3]!)).toBe(once);
  });

  it('never moves progress backwards when a retry re-enters an earlier stage', () => {
    const view = applyEvents(initialRunView(runId), [
      { seq: 1, runId, at, type: 'stage', stage: 'validate', progress: 30, message: 'Validating' },
      {
        seq: 2,
        runId,
        at,
        type: 'retry',
        stage: 'validate',
        attempt: 2,
        maxAttempts: 3,
        reason: 'bad SQL',
      },
      {
        seq: 3,
        runId,
        at,
        type: 'stage',
        stage: 'validate',
        progress: 20,
        message: 'Validating again',
      },
    ]);
    expect(view.progress).toBe(30);
    expect(view.retry).toEqual({
      stage: 'validate',
      attempt: 2,
      maxAttempts: 3,
      reason: 'bad SQL',
    });
  });

  it('keeps each stage once, in the order entered, with its latest message and its retries', () => {
    const q = (seq: number, e: Record<string, unknown>) => ({ seq, runId, at, ...e }) as RunEvent;
    const view = applyEvents(initialRunView(runId), [
      q(1, { type: 'stage', stage: 'understand', progress: 10, message: 'Not sure offline' }),
      q(2, { type: 'stage', stage: 'generate', progress: 15, message: 'Asking (attempt 1 of 3)' }),
      q(3, {
        type: 'stage',
        stage: 'validate',
        progress: 30,
        message: 'Checking (attempt 1 of 3)',
      }),
      q(4, {
        type: 'retry',
        stage: 'validate',
        attempt: 2,
        maxAttempts: 3,
        reason: 'no column `sales_channel`; did you mean `channel`?',
      }),
      q(5, { type: 'stage', stage: 'generate', progress: 15, message: 'Asking (attempt 2 of 3)' }),
      q(6, {
        type: 'stage',
        stage: 'validate',
        progress: 30,
        message: 'Checking (attempt 2 of 3)',
      }),
      q(7, { type: 'retry', stage: 'validate', attempt: 3, maxAttempts: 3, reason: 'no table x' }),
      q(8, { type: 'stage', stage: 'validate', progress: 40, message: 'The query is valid' }),
      q(9, { type: 'stage', stage: 'execute', progress: 41, message: 'Running' }),
    ]);
    expect(view.timeline).toEqual([
      { stage: 'understand', message: 'Not sure offline', retries: [] },
      { stage: 'generate', message: 'Asking (attempt 2 of 3)', retries: [] },
      {
        stage: 'validate',
        message: 'The query is valid',
        retries: [
          {
            stage: 'validate',
            attempt: 2,
            maxAttempts: 3,
            reason: 'no column `sales_channel`; did you mean `channel`?',
          },
          { stage: 'validate', attempt: 3, maxAttempts: 3, reason: 'no table x' },
        ],
      },
      { stage: 'execute', message: 'Running', retries: [] },
    ]);
    expect(view.stage).toBe('execute');
    // The notice of the current retry goes once the run left the stage that retried.
    expect(view.retry).toBeNull();
  });

  it('grows the answer with each delta and starts it over when a new attempt begins', () => {
    const a = (seq: number, attempt: number, delta: string) =>
      ({ seq, runId, at, type: 'answer', attempt, delta }) as RunEvent;
    const first = applyEvents(initialRunView(runId), [a(1, 1, 'The **web** '), a(2, 1, 'channel')]);
    expect(first.answer).toEqual({ attempt: 1, text: 'The **web** channel' });
    const second = applyEvents(first, [
      {
        seq: 3,
        runId,
        at,
        type: 'retry',
        stage: 'review',
        attempt: 2,
        maxAttempts: 3,
        reason: 'x',
      },
      a(4, 2, 'Web has '),
      a(5, 2, '12 orders.'),
    ]);
    expect(second.answer).toEqual({ attempt: 2, text: 'Web has 12 orders.' });
    // Replayed deltas (a resubscription from the start) are not appended twice.
    expect(applyEvents(second, [a(1, 1, 'The **web** '), a(4, 2, 'Web has ')])).toBe(second);
    // A jump to a later attempt replaces the text even with no retry event in between.
    expect(applyEvent(second, a(6, 4, 'From the template.')).answer).toEqual({
      attempt: 4,
      text: 'From the template.',
    });
  });

  it('keeps the error of a failed run and the reason of a cancelled one', () => {
    const failed = applyEvent(initialRunView(runId), {
      seq: 1,
      runId,
      at,
      type: 'failed',
      error: {
        code: 'SQL_NOT_READ_ONLY',
        message: 'Only reads',
        hint: 'Use SELECT',
        retryable: false,
      },
    });
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('SQL_NOT_READ_ONLY');

    const cancelled = applyEvent(initialRunView(runId), {
      seq: 1,
      runId,
      at,
      type: 'cancelled',
      reason: 'Cancelled by the user',
    });
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.cancelReason).toBe('Cancelled by the user');
  });

  it('tells a run cut off by a server stop from a failed one', () => {
    const view = applyEvent(initialRunView(runId), {
      seq: 1,
      runId,
      at,
      type: 'failed',
      error: { code: 'INTERRUPTED', message: 'The server stopped', retryable: true },
    });
    expect(view.status).toBe('interrupted');
    expect(isTerminalStatus(view.status)).toBe(true);
  });

  it('ignores anything after the terminal event', () => {
    const done = applyEvents(initialRunView(runId), stream);
    const after = applyEvent(done, { seq: 7, runId, at, type: 'rows', fetched: 99 });
    expect(after).toBe(done);
  });
});
