import { describe, expect, it } from 'vitest';
import { parseInline, parseMarkdown } from './markdown.ts';

describe('comment markdown', () => {
  it('parses inline code, strong, emphasis and safe links, and leaves the rest as text', () => {
    expect(parseInline('a `x*y` **b _c_** _d_ [e](https://e.com) [f](javascript:x) *open')).toEqual(
      [
        { type: 'text', text: 'a ' },
        { type: 'code', text: 'x*y' },
        { type: 'text', text: ' ' },
        {
          type: 'strong',
          children: [
            { type: 'text', text: 'b ' },
            { type: 'em', children: [{ type: 'text', text: 'c' }] },
          ],
        },
        { type: 'text', text: ' ' },
        { type: 'em', children: [{ type: 'text', text: 'd' }] },
        { type: 'text', text: ' ' },
        { type: 'link', href: 'https://e.com', children: [{ type: 'text', text: 'e' }] },
        { type: 'text', text: ' [f](javascript:x) *open' },
      ],
    );
    expect(parseInline('2 * 3 * 4')).toEqual([{ type: 'text', text: '2 * 3 * 4' }]);
  });

  it('parses paragraphs with line breaks, lists and fenced code', () => {
    const blocks = parseMarkdown('one\ntwo\n\n- a\n- b\n1. c\n\n```\nSELECT *\n  FROM t\n```\nend');
    expect(blocks.map((b) => b.type)).toEqual(['paragraph', 'list', 'list', 'code', 'paragraph']);
    expect(blocks[0]).toEqual({
      type: 'paragraph',
      lines: [[{ type: 'text', text: 'one' }], [{ type: 'text', text: 'two' }]],
    });
    expect(blocks[1]).toMatchObject({
      type: 'list',
      ordered: false,
      items: [[{ text: 'a' }], [{ text: 'b' }]],
    });
    expect(blocks[2]).toMatchObject({ type: 'list', ordered: true, items: [[{ text: 'c' }]] });
    expect(blocks[3]).toEqual({ type: 'code', text: 'SELECT *\n  FROM t' });
  });
});
