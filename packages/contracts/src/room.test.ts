import { describe, expect, it } from 'vitest';
import {
  COMMENT_MAX_CHARS,
  CommentBody,
  endsAccessFor,
  isTerminalRoomEvent,
  mayManage,
  mayRun,
  RoomEvent,
  RoomRole,
  sanitizeComment,
} from './index.ts';

const at = new Date(1_700_000_000_000);

describe('room roles', () => {
  it('lets owners and editors run, and only owners manage', () => {
    expect(RoomRole.options.filter(mayRun)).toEqual(['owner', 'editor']);
    expect(RoomRole.options.filter(mayManage)).toEqual(['owner']);
  });

  it('ends the room for everyone on delete, and for a member when they go', () => {
    const types = RoomEvent.options.map((o) => o.shape.type.value);
    expect(types.filter((type) => isTerminalRoomEvent({ type }))).toEqual(['deleted']);
    const ev = { seq: 1, conversationId: 'c', at };
    const left: RoomEvent = { ...ev, type: 'member_removed', userId: 'b', by: 'b', why: 'left' };
    expect(endsAccessFor(left, 'b')).toBe(true);
    expect(endsAccessFor(left, 'a')).toBe(false);
    const unshared: RoomEvent = { ...ev, type: 'unshared', removed: ['b', 'c'], by: 'a' };
    expect(['a', 'b', 'c'].map((u) => endsAccessFor(unshared, u))).toEqual([false, true, true]);
    expect(endsAccessFor({ ...ev, type: 'deleted', by: 'a' }, 'a')).toBe(true);
    expect(endsAccessFor({ ...ev, type: 'renamed', title: 't', by: 'a' }, 'b')).toBe(false);
  });
});

describe('comment sanitising', () => {
  it('keeps markdown and plain text as written', () => {
    const md = '**Bold** and _em_, `code`\n\n- one\n- two\n\n[docs](https://example.com/a?b=1)';
    expect(sanitizeComment(md)).toBe(md);
    expect(sanitizeComment('  2 < 3 and 4 > 1  ')).toBe('2 < 3 and 4 > 1');
    expect(sanitizeComment('mail [me](mailto:a@b.c)')).toBe('mail [me](mailto:a@b.c)');
  });

  it('removes raw HTML, also when removing one tag would assemble another', () => {
    expect(sanitizeComment('<script>alert(1)</script> hi')).toBe('alert(1) hi');
    expect(sanitizeComment('<scr<b>ipt>x</scr</b>ipt>')).toBe('x');
    expect(sanitizeComment('a <img src=x onerror=alert(1)> b')).toBe('a  b');
    expect(sanitizeComment('a <!-- hidden --> b <!-- open')).toBe('a  b');
    expect(sanitizeComment('go <javascript:alert(1)>')).toBe('go');
  });

  it('keeps only web and mail links; other schemes leave their label', () => {
    expect(sanitizeComment('[click](javascript:alert(1))')).toBe('click)');
    expect(sanitizeComment('[x](data:text/html,hi) and [y]( vbscript:z )')).toBe('x and y');
    expect(sanitizeComment('![pic](https://e.com/p.png)')).toBe('[pic](https://e.com/p.png)');
    expect(sanitizeComment('[a](https://e.com "t")')).toBe('[a](https://e.com)');
  });

  it('drops control and invisible characters and evens out line ends', () => {
    expect(sanitizeComment('a\u0000b\u0007c\u202Ed\u2066e\u200Bf\uFEFFg')).toBe('abcdefg');
    expect(sanitizeComment('one\r\ntwo\rthree\n\n\n\n\nfour\t.')).toBe(
      'one\ntwo\nthree\n\nfour\t.',
    );
    expect(sanitizeComment('cafe\u0301')).toBe('café');
  });

  it('limits the length before sanitising and refuses what is empty after', () => {
    expect(CommentBody.parse('  <b>ok</b> ')).toBe('ok');
    expect(CommentBody.safeParse('x'.repeat(COMMENT_MAX_CHARS)).success).toBe(true);
    const long = CommentBody.safeParse('x'.repeat(COMMENT_MAX_CHARS + 1));
    expect(long.error?.issues.map((i) => i.message)).toEqual([
      'Comments are at most 2,000 characters',
    ]);
    const empty = CommentBody.safeParse(' <br> \u200B ');
    expect(empty.error?.issues.map((i) => i.message)).toEqual(['The comment is empty']);
  });
});
