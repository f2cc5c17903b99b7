import { describe, expect, it } from 'vitest';
import { toMarkdown, toTsv } from './csv.ts';

const columns = (...names: string[]) => names.map((name) => ({ name, type: '' }));

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
