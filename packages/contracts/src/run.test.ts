import { describe, expect, it } from 'vitest';
import { isTerminalEvent, isTerminalStatus, RunEvent, RunStatus, statusAfter } from './index.ts';
import { transformer } from './transformer.ts';

const at = new Date(1_700_000_000_000);

describe('run contract', () => {
  it('names exactly four terminal statuses and three terminal event types', () => {
    expect(RunStatus.options.filter(isTerminalStatus)).toEqual([
      'completed',
      'failed',
      'cancelled',
      'interrupted',
    ]);
    const types = RunEvent.options.map((o) => o.shape.type.value);
    expect(types.filter((type) => isTerminalEvent({ type }))).toEqual([
      'completed',
      'failed',
      'cancelled',
    ]);
  });

  it('maps each terminal event to the status it leaves', () => {
    const error = { message: 'x', retryable: true };
    const ev = { seq: 1, runId: 'r', at };
    expect(statusAfter({ ...ev, type: 'cancelled', reason: 'r' })).toBe('cancelled');
    expect(statusAfter({ ...ev, type: 'failed', error: { ...error, code: 'TIMEOUT' } })).toBe(
      'failed',
    );
    expect(statusAfter({ ...ev, type: 'failed', error: { ...error, code: 'INTERRUPTED' } })).toBe(
      'interrupted',
    );
  });

  it('parses an event and rejects an unknown type', () => {
    const event = { seq: 2, runId: 'r', at, type: 'rows', fetched: 10 };
    expect(RunEvent.parse(event)).toEqual(event);
    expect(RunEvent.safeParse({ ...event, type: 'bogus' }).success).toBe(false);
  });

  it('round-trips dates and blobs through the transformer', () => {
    const value = { at, blob: new Uint8Array([0, 1, 254, 255]) };
    const back = transformer.parse<typeof value>(transformer.stringify(value));
    expect(back.at).toEqual(at);
    expect([...back.blob]).toEqual([0, 1, 254, 255]);
  });
});
