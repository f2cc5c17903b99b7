// An `Encoded` value on the wire is indistinguishable from the value itself: the message is what
// plain superjson (with the same Uint8Array rule) makes of the decoded value.
import SuperJSON from 'superjson';
import { describe, expect, it } from 'vitest';
import { base64, Encoded, transformer } from './transformer.ts';

const plain = new SuperJSON();
plain.registerCustom<Uint8Array, string>(
  {
    isApplicable: (v): v is Uint8Array => v instanceof Uint8Array,
    serialize: base64.encode,
    deserialize: base64.decode,
  },
  'Uint8Array',
);

const shared = { same: 'object' };
const results = {
  'plain JSON': { columns: ['a'], rows: [[1], [2]], rowCount: 2 },
  'dates, bigints and blobs': {
    rows: [[new Date('2024-01-02T03:04:05Z'), 12n ** 30n, Uint8Array.from([0, 1, 255])]],
    'a.dotted\\name': new Date(0),
  },
  'shared references': { first: shared, second: shared, rows: [[new Date(5)]] },
};

describe('Encoded on the wire', () => {
  it.each(Object.entries(results))('%s: the same message as the value itself', (_, result) => {
    const stored = transformer.stringify(result);
    for (const source of [stored, JSON.parse(stored)]) {
      const message = { id: 'r1', at: new Date(1), result: new Encoded<typeof result>(source) };
      const wire = transformer.serialize(message);
      expect(wire).toEqual(plain.serialize({ id: 'r1', at: new Date(1), result }));
      expect(JSON.stringify(wire)).not.toContain('Encoded');
      // Any superjson client decodes it into the value.
      expect(plain.deserialize(wire)).toEqual({ id: 'r1', at: new Date(1), result });
    }
  });

  it('splices inside a tracked envelope and leaves other annotations alone', () => {
    const result = { rows: [[Uint8Array.from([9])]] };
    const event = { id: '7', data: { type: 'completed', at: new Date(2), result } };
    const wire = transformer.serialize({
      ...event,
      data: { ...event.data, result: new Encoded(transformer.stringify(result)) },
    });
    expect(wire).toEqual(plain.serialize(event));
  });
});
