import { describe, expect, it } from 'vitest';
import { base64, base64Codec } from './transformer.ts';

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
