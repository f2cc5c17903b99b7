import { describe, expect, it } from 'vitest';
import { toCsv } from './csv.ts';

describe('toCsv', () => {
  it('writes a header and one line per row, quoting only what needs it', () => {
    const csv = toCsv({
      columns: [
        { name: 'name', type: 'TEXT' },
        { name: 'n', type: 'INTEGER' },
        { name: 'note', type: 'TEXT' },
      ],
      rows: [
        ['Books', 3, 'plain'],
        ['Home & Kitchen', 2.5, 'say "hi", then\nleave'],
        [null, 0, ' padded'],
      ],
    });
    expect(csv).toBe(
      'name,n,note\r\nBooks,3,plain\r\nHome & Kitchen,2.5,"say ""hi"", then\nleave"\r\n,0," padded"\r\n',
    );
  });

  it('writes blobs as hex and an empty result as its header alone', () => {
    expect(
      toCsv({ columns: [{ name: 'b', type: 'BLOB' }], rows: [[new Uint8Array([0, 171, 255])]] }),
    ).toBe('b\r\n00abff\r\n');
    expect(toCsv({ columns: [{ name: 'a, b', type: '' }], rows: [] })).toBe('"a, b"\r\n');
  });
});
