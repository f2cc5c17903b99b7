import { describe, expect, it } from 'vitest';
import {
  base64,
  base64Codec,
  Encoded,
  stringifyOnce,
  stringifyTrackedOnce,
  transformer,
} from './transformer.ts';

const browser = base64Codec(undefined);

describe('base64', () => {
  it.each([
    ['with Buffer (the server)', base64],
    ['without Buffer (a browser)', browser],
  ])('encodes and decodes every byte value, views with an offset too, %s', (_, codec) => {
    const all = Uint8Array.from({ length: 256 * 300 }, (_, i) => (i * 7919) % 256);
    const view = all.subarray(3, 70_003); // spans several 32 KiB chunks, odd length
    let expected = '';
    for (const byte of view) expected += String.fromCharCode(byte);
    const text = codec.encode(view);
    expect(text).toBe(btoa(expected));
    const back = codec.decode(text);
    expect(back.constructor).toBe(Uint8Array);
    expect(back.length).toBe(view.length);
    // One comparison, not 70,000 (deep equality on a typed array goes element by element).
    expect(back.every((byte, i) => byte === view[i])).toBe(true);
    expect(codec.encode(new Uint8Array(0))).toBe('');
    expect(codec.decode('')).toEqual(new Uint8Array(0));
  });
});

describe('serialised once', () => {
  const at = new Date(Date.UTC(2026, 11, 1, 12, 0, 0, 123));
  const values: [string, object][] = [
    ['a queued event', { type: 'queued', position: 3, seq: 4, runId: 'r', at }],
    ['no annotation at all', { type: 'x', n: 1, s: 'a "quoted" \\ line\n', ok: true, none: null }],
    [
      'a completed event with nested dates, blobs, big ints and odd numbers',
      {
        type: 'completed',
        seq: 9,
        at,
        result: {
          columns: [{ name: 'a.b', type: 'blob' }],
          rows: [
            [new Uint8Array([1, 2, 255]), 10n, Number.NaN, -0, undefined, at],
            [null, Number.POSITIVE_INFINITY, 'x', { 'dotted.key': at, 'back\\slash': at }],
          ],
          map: new Map([['k', at]]),
          set: new Set([at]),
        },
      },
    ],
  ];

  it.each(values)('gives the bytes superjson gives, for %s', (_, value) => {
    expect(stringifyOnce(value)).toBe(transformer.stringify(value));
    expect(stringifyTrackedOnce('12', value)).toBe(
      JSON.stringify(transformer.serialize({ id: '12', data: value })),
    );
    // And again from the cache, under another id.
    expect(stringifyTrackedOnce('13', value)).toBe(
      JSON.stringify(transformer.serialize({ id: '13', data: value })),
    );
    expect(transformer.parse(stringifyOnce(value))).toEqual(value);
  });

  it('gives the bytes superjson gives for an event whose result is sent as stored', () => {
    const result = { rows: [[new Uint8Array([1, 2, 255]), at]], rowCount: 1 };
    const stored = new Encoded<typeof result>(transformer.stringify(result));
    const event = { type: 'completed', seq: 5, at, result: stored.asValue() };
    const frame = stringifyTrackedOnce('5', event);
    expect(frame).toBe(JSON.stringify(transformer.serialize({ id: '5', data: event })));
    // Spliced: the frame is plain superjson of the decoded result, no custom type in sight.
    expect(JSON.parse(frame)).toMatchObject({
      meta: {
        values: {
          'data.at': ['Date'],
          'data.result.rows.0.0': [['custom', 'Uint8Array']],
          'data.result.rows.0.1': ['Date'],
        },
      },
    });
    expect(frame).not.toContain('Encoded');
    // The client decodes the stored text into the value it stands for.
    expect(transformer.deserialize(JSON.parse(frame))).toEqual({
      id: '5',
      data: { ...event, result },
    });
  });

  it('falls back to a full serialisation for shared references', () => {
    const shared = { at };
    const value = { a: shared, b: shared, at };
    expect(stringifyTrackedOnce('1', value)).toBe(
      JSON.stringify(transformer.serialize({ id: '1', data: value })),
    );
    expect(stringifyOnce(value)).toBe(transformer.stringify(value));
  });
});
