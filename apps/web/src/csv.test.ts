import { describe, expect, it } from 'vitest';
import { toCsv, toMarkdown, toTsv } from './csv.ts';

const columns = (...names: string[]) => names.map((name) => ({ name, type: '' }));

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

describe('toTsv', () => {
  it('separates with tabs, quotes fields with tabs, quotes or newlines, defuses formulas', () => {
    expect(
      toTsv({
        columns: columns('a', 'b'),
        rows: [
          ['x\ty', 1.5],
          ['=1+1', null],
          ['line\nbreak', 'say "hi"'],
        ],
      }),
    ).toBe('a\tb\n"x\ty"\t1.5\n\'=1+1\t\n"line\nbreak"\t"say ""hi"""\n');
  });
});

describe('toMarkdown', () => {
  it('writes a table with escaped pipes, NULL spelled out and numbers right-aligned', () => {
    expect(
      toMarkdown(
        {
          columns: columns('name', 'n'),
          rows: [
            ['a|b', 1],
            [null, 22],
            ['two\nlines', 3],
          ],
        },
        [false, true],
      ),
    ).toBe('| name | n |\n| --- | ---: |\n| a\\|b | 1 |\n| NULL | 22 |\n| two<br>lines | 3 |\n');
  });
});
