// The wire form of a run event: a `completed` event whose result the store encoded goes out as
// that text, and every subscriber gets the same object (so its frame is serialised once).
import type { RunEvent } from '@querylane/contracts';
import { Encoded, transformer } from '@querylane/contracts/transformer';
import { expect, it } from 'vitest';
import { forWire } from './run-events.ts';

const at = new Date(0);

function completed(): RunEvent {
  return {
    type: 'completed',
    seq: 3,
    runId: 'r',
    at,
    result: {
      columns: [{ name: 'b', type: 'blob' }],
      rows: [[new Uint8Array([1, 2, 3])]],
      rowCount: 1,
      truncated: false,
    },
  } as unknown as RunEvent;
}

it('sends a completed event with the text its result was stored as, one object for all', () => {
  const event = completed();
  if (event.type !== 'completed') throw new Error('not completed');
  const text = transformer.stringify(event.result);
  Encoded.remember(event.result, text);
  const wire = forWire(event);
  expect(wire).not.toBe(event);
  expect(forWire(event)).toBe(wire);
  expect(wire.type === 'completed' && wire.result).toBeInstanceOf(Encoded);
  // What a client decodes is the event as it was.
  expect(transformer.parse(transformer.stringify(wire))).toEqual(event);
});

it('leaves other events, and results nobody encoded, as they are', () => {
  const event = completed();
  expect(forWire(event)).toBe(event);
  const stage = { type: 'stage', seq: 2, runId: 'r', at, stage: 'execute', progress: 10 };
  expect(forWire(stage as unknown as RunEvent)).toBe(stage);
});
