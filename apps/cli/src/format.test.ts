import type { RunEvent } from '@querylane/client';
import { describe, expect, it } from 'vitest';
import {
  describeEvent,
  formatCell,
  formatEventLine,
  formatTable,
  oneLine,
  toJson,
} from './format.ts';
import { displayWidth } from './width.ts';

describe('formatTable', () => {
  it('aligns columns, right-aligns numbers and spells out NULL', () => {
    const table = formatTable(
      ['category', 'n', 'avg'],
      [
        ['Books', 67, 23.26],
        ['Home & Kitchen', 6, null],
      ],
    );
    expect(table.split('\n')).toEqual([
      'category         n    avg',
      '--------------  --  -----',
      'Books           67  23.26',
      'Home & Kitchen   6   NULL',
    ]);
  });

  it('keeps a mixed column left-aligned and every cell on one line', () => {
    const table = formatTable(['v'], [[1], ['two\nlines'], [new Uint8Array([0, 255])]]);
    expect(table.split('\n')).toEqual(['v', '---------', '1', 'two↵lines', '\\x00ff']);
  });
});

describe('formatTable with wide characters', () => {
  it('aligns CJK text and emoji by the columns a terminal draws, not by string length', () => {
    const table = formatTable(
      ['city', 'dish', 'n'],
      [
        ['東京', '🍣 寿司', 12],
        ['Zürich', 'Rösti', 3],
        ['서울', '👩‍👩‍👧 bibimbap', 1024],
      ],
    );
    const lines = table.split('\n');
    expect(lines).toEqual([
      'city    dish            n',
      '------  -----------  ----',
      '東京    🍣 寿司        12',
      'Zürich  Rösti           3',
      '서울    👩‍👩‍👧 bibimbap  1024',
    ]);
    // Every line ends in the same terminal column, and the second column starts in the same one.
    expect(new Set(lines.map(displayWidth))).toEqual(new Set([25]));
    const secondColumn = lines.map((l) => displayWidth(l.slice(0, l.search(/ {2}\S/) + 2)));
    expect(new Set(secondColumn)).toEqual(new Set([8]));
  });

  it('cuts by columns and never inside a character', () => {
    expect(oneLine('日本語のテキスト', 9)).toBe('日本語の…');
    expect(displayWidth(oneLine('日本語のテキスト', 9))).toBe(9);
    expect(oneLine('👍🏽👍🏽👍🏽👍🏽', 5)).toBe('👍🏽👍🏽…');
  });

  it('shows control characters instead of sending them to the terminal', () => {
    expect(formatCell('red \u001b[31mtext\u0007')).toBe('red ␛[31mtext␇');
  });
});

describe('formatCell', () => {
  it('cuts long text and long blobs', () => {
    expect(formatCell('x'.repeat(200))).toHaveLength(80);
    expect(formatCell('x'.repeat(200)).endsWith('…')).toBe(true);
    expect(formatCell(new Uint8Array(40))).toBe(`\\x${'00'.repeat(32)}…`);
    expect(formatCell(12n)).toBe('12');
  });
});

describe('toJson', () => {
  it('writes blobs as hex and bigints as strings', () => {
    expect(JSON.parse(toJson({ b: new Uint8Array([1, 171]), n: 2n ** 70n }))).toEqual({
      b: '\\x01ab',
      n: '1180591620717411303424',
    });
  });
});

const base = { seq: 7, runId: 'r1', at: new Date(2026, 0, 2, 3, 4, 5, 6) };

describe('event lines', () => {
  it('describes each known event type', () => {
    expect(
      formatEventLine({
        ...base,
        type: 'stage',
        stage: 'execute',
        progress: 40,
        message: 'Running',
      }),
    ).toBe('#7    03:04:05.006  stage      execute 40% Running');
    expect(
      describeEvent({
        ...base,
        type: 'failed',
        error: { code: 'SQL_SYNTAX', message: 'no such table: nope', retryable: false },
      }),
    ).toBe('SQL_SYNTAX: no such table: nope');
    expect(describeEvent({ ...base, type: 'rows', fetched: 12_345 })).toBe('12,345 rows fetched');
  });

  it('reads a queue position, and an event type this CLI does not know', () => {
    const queued: RunEvent = { ...base, type: 'queued', position: 2 };
    expect(formatEventLine(queued)).toBe('#7    03:04:05.006  queued     #2 in line');
    const unknown = { ...base, type: 'paused', until: 5 } as unknown as RunEvent;
    expect(formatEventLine(unknown)).toBe('#7    03:04:05.006  paused     until=5');
  });
});
