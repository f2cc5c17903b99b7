// The CSV cell rules shared by the browser and the server's export.
import { describe, expect, it } from 'vitest';
import { csvLine } from './csv.ts';

const columns = (...names: string[]) => names.map((name) => ({ name, type: '' }));

function toCsv(result: { columns: { name: string }[]; rows: unknown[][] }): string {
  const lines = [csvLine(result.columns.map((c) => c.name)), ...result.rows.map(csvLine)];
  return `${lines.join('\r\n')}\r\n`;
}

describe('toCsv', () => {
  it('writes a header and one line per row, quoting only what needs it', () => {
    const csv = toCsv({
      columns: columns('name', 'n', 'note'),
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
    expect(toCsv({ columns: columns('b'), rows: [[new Uint8Array([0, 171, 255])]] })).toBe(
      'b\r\n00abff\r\n',
    );
    expect(toCsv({ columns: columns('a, b'), rows: [] })).toBe('"a, b"\r\n');
  });

  it('keeps text that starts a formula as text, and numbers as numbers', () => {
    const csv = toCsv({
      columns: columns('v'),
      rows: [
        ['=HYPERLINK("http://x","click")'],
        ['+1'],
        ['-2'],
        ['@SUM(A1)'],
        ['\tlead'],
        ['\rcr'],
        [-3],
        ['a=b'],
      ],
    });
    expect(csv.split('\r\n')).toEqual([
      'v',
      `"'=HYPERLINK(""http://x"",""click"")"`,
      "'+1",
      "'-2",
      "'@SUM(A1)",
      `'\tlead`,
      `"'\rcr"`,
      '-3',
      'a=b',
      '',
    ]);
  });
});
