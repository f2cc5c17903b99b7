import { describe, expect, it } from 'vitest';
import {
  applyRoomItem,
  initials,
  type RoomItem,
  type RoomSnapshot,
  roomFromSnapshot,
  typingLine,
} from './room-state.ts';

const at = new Date(1_700_000_000_000);
const snapshot: RoomSnapshot = {
  conversationId: 'c',
  title: 'Sales',
  ownerId: 'ana',
  role: 'viewer',
  members: [{ userId: 'bo', role: 'viewer', addedBy: 'ana', addedAt: at }],
  comments: [
    {
      id: 'k1',
      conversationId: 'c',
      runId: null,
      userId: 'ana',
      body: 'hi',
      createdAt: at,
      editedAt: null,
    },
  ],
  hasOlderComments: false,
  presence: { present: ['ana'], typing: [] },
  lastEventId: '4',
};
const base = { conversationId: 'c', at };

describe('room state', () => {
  it('folds each kind of event in, and ignores what it has seen already', () => {
    let s = roomFromSnapshot(snapshot);
    const items: RoomItem[] = [
      // Already in the snapshot (seq 4): ignored.
      { ...base, seq: 4, type: 'renamed', title: 'old', by: 'ana' },
      {
        ...base,
        seq: 5,
        type: 'run_started',
        runId: 'r1',
        userId: 'ana',
        kind: 'sql',
        query: 'q',
        datasetId: 'shop',
      },
      { type: 'presence', present: ['ana', 'bo'], typing: ['ana'] },
      {
        ...base,
        seq: 6,
        type: 'comment_added',
        comment: { ...snapshot.comments[0]!, id: 'k2', body: 'new' },
      },
      {
        ...base,
        seq: 7,
        type: 'comment_edited',
        comment: { ...snapshot.comments[0]!, body: 'hello', editedAt: at },
      },
      {
        ...base,
        seq: 8,
        type: 'member_role_changed',
        member: { userId: 'bo', role: 'editor', addedBy: 'ana', addedAt: at },
        by: 'ana',
      },
      {
        ...base,
        seq: 9,
        type: 'member_added',
        member: { userId: 'cy', role: 'viewer', addedBy: 'ana', addedAt: at },
        by: 'ana',
      },
      { ...base, seq: 10, type: 'comment_deleted', commentId: 'k2', userId: 'ana' },
      { ...base, seq: 11, type: 'renamed', title: 'Sales 2026', by: 'ana' },
    ];
    for (const item of items) s = applyRoomItem(s, item, 'bo');
    // A reconnect replays 6 and 9: nothing changes.
    const again = applyRoomItem(applyRoomItem(s, items[3]!, 'bo'), items[6]!, 'bo');
    expect(again).toBe(s);
    expect(s).toMatchObject({
      title: 'Sales 2026',
      role: 'editor',
      present: ['ana', 'bo'],
      typing: ['ana'],
      startedRuns: ['r1'],
      seq: 11,
      ended: null,
    });
    expect(s.members.map((m) => [m.userId, m.role])).toEqual([
      ['bo', 'editor'],
      ['cy', 'viewer'],
    ]);
    expect(s.comments.map((c) => [c.id, c.body])).toEqual([['k1', 'hello']]);
  });

  it('ends the room for me when I leave, am removed, it is unshared or deleted', () => {
    const s = roomFromSnapshot(snapshot);
    const ev = { ...base, seq: 5 };
    expect(
      applyRoomItem(s, { ...ev, type: 'member_removed', userId: 'bo', by: 'bo', why: 'left' }, 'bo')
        .ended,
    ).toBe('left');
    expect(
      applyRoomItem(
        s,
        { ...ev, type: 'member_removed', userId: 'bo', by: 'ana', why: 'removed' },
        'bo',
      ).ended,
    ).toBe('removed');
    const other = applyRoomItem(
      s,
      { ...ev, type: 'member_removed', userId: 'bo', by: 'ana', why: 'removed' },
      'ana',
    );
    expect([other.ended, other.members]).toEqual([null, []]);
    expect(
      applyRoomItem(s, { ...ev, type: 'unshared', removed: ['bo'], by: 'ana' }, 'bo').ended,
    ).toBe('unshared');
    expect(
      applyRoomItem(s, { ...ev, type: 'unshared', removed: ['bo'], by: 'ana' }, 'ana').ended,
    ).toBeNull();
    expect(applyRoomItem(s, { ...ev, type: 'deleted', by: 'ana' }, 'ana').ended).toBe('deleted');
  });

  it('says who is typing, leaving me out, and makes initials', () => {
    expect(typingLine([], 'me')).toBeNull();
    expect(typingLine(['me'], 'me')).toBeNull();
    expect(typingLine(['ana', 'me'], 'me')).toBe('ana is typing…');
    expect(typingLine(['ana', 'bo'], 'me')).toBe('ana and bo are typing…');
    expect(typingLine(['ana', 'bo', 'cy'], 'me')).toBe('3 people are typing…');
    expect(['alice', 'ana.lopez', 'b', 'x@y.z'].map(initials)).toEqual(['AL', 'AL', 'B', 'XY']);
  });
});
