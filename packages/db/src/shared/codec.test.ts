// A stored `completed` event handed to a wire reader with its result left as stored: what the
// client decodes must be exactly the event that was stored.
import type { RunEvent } from '@querylane/contracts';
import { Encoded, transformer } from '@querylane/contracts/transformer';
import { expect, it } from 'vitest';
import { decodeCompletedForWire, encode, encodeResult } from './codec.ts';

const overTheWire = (event: RunEvent) =>
  transformer.parse<RunEvent>(JSON.stringify(transformer.serialize(event)));

function completed(rows: unknown[][]): RunEvent {
  return {
    type: 'completed',
    seq: 9,
    runId: 'r',
    at: new Date(1_700_000_000_123),
    result: {
      columns: [
        { name: 'b.lob', type: 'BLOB' },
        { name: 'when', type: 'TEXT' },
      ],
      rows,
      rowCount: rows.length,
      truncated: false,
      elapsedMs: 3,
      profile: [],
      summary: 'two rows',
    },
  };
}

it('decodes to the stored event, with the result as stored until it is sent', () => {
  const event = completed([
    [new Uint8Array([0, 1, 255]), new Date(5)],
    [new Uint8Array(0), null],
  ]);
  const forWire = decodeCompletedForWire(encode(event));
  expect(forWire.type === 'completed' && forWire.result).toBeInstanceOf(Encoded);
  expect(forWire.seq).toBe(9);
  expect(forWire.at).toEqual(event.at);
  expect(overTheWire(forWire)).toEqual(event);
});

it('falls back to a full decode when the stored form shares references', () => {
  const shared = new Date(7);
  const event = completed([
    [new Uint8Array([1]), shared],
    [new Uint8Array([2]), shared],
  ]);
  const forWire = decodeCompletedForWire(encode(event));
  expect(forWire.type === 'completed' && forWire.result).not.toBeInstanceOf(Encoded);
  expect(forWire).toEqual(event);
});

it('remembers the text a result was stored as, for whoever sends the same result later', () => {
  const event = completed([[new Uint8Array([9]), new Date(11)]]);
  if (event.type !== 'completed') throw new Error('not completed');
  expect(Encoded.known(event.result)).toBeUndefined();
  const text = encodeResult(event.result);
  const known = Encoded.known(event.result);
  expect(known?.toWire()).toEqual(JSON.parse(text));
  expect(transformer.deserialize(known?.toWire() ?? { json: null })).toEqual(event.result);
});
