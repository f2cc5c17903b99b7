// The contract every history store keeps for rooms (SQLite now, PostgreSQL next): membership with
// an atomic member limit, comments in order with author-only changes, and each room's event
// history numbered by the store itself, all gone with the conversation.
import type { RoomEventInput } from '@querylane/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError } from '../errors.ts';
import type { Stores } from '../ports.ts';
import { seedRun } from './fixtures.ts';

type Open = () => Promise<Stores & { dispose?: () => Promise<void> }>;

const renamed = (title: string): RoomEventInput => ({ type: 'renamed', title, by: 'u1' });

export function describeRoomStores(name: string, open: Open) {
  describe(`room store contract: ${name}`, () => {
    let stores: Stores & { dispose?: () => Promise<void> };
    beforeEach(async () => {
      stores = await open();
      await stores.conversations.create({ id: 'c1', userId: 'u1', title: 'one' });
    });
    afterEach(async () => {
      await stores.close();
      await stores.dispose?.();
    });
    const add = (userId: string, role: 'editor' | 'viewer' = 'editor', max = 20) =>
      stores.rooms.addMember({ conversationId: 'c1', userId, role, addedBy: 'u1' }, max);

    it("tells each user their place: owner, a member's role, outside, or no such conversation", async () => {
      await add('u2', 'viewer');
      expect(await stores.rooms.access('u1', 'c1')).toMatchObject({
        conversation: { id: 'c1', userId: 'u1', title: 'one' },
        role: 'owner',
      });
      expect((await stores.rooms.access('u2', 'c1'))?.role).toBe('viewer');
      expect((await stores.rooms.access('u3', 'c1'))?.role).toBeNull();
      expect(await stores.rooms.access('u1', 'nope')).toBeUndefined();
    });

    it('adds members up to the limit, once each, and never into a conversation that is gone', async () => {
      const first = await add('u2');
      expect(first).toEqual({
        added: {
          conversationId: 'c1',
          userId: 'u2',
          role: 'editor',
          addedBy: 'u1',
          addedAt: expect.any(Date),
        },
      });
      expect(await add('u2', 'viewer')).toEqual({ refused: 'exists' });
      // Many at once: exactly as many as there is room for get in.
      const results = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((u) => add(u, 'viewer', 4)));
      expect(results.filter((r) => 'added' in r)).toHaveLength(3);
      expect(results.filter((r) => 'refused' in r && r.refused === 'full')).toHaveLength(2);
      expect(await stores.rooms.members('c1')).toHaveLength(4);
      expect(
        await stores.rooms.addMember(
          { conversationId: 'gone', userId: 'u2', role: 'editor', addedBy: 'u1' },
          20,
        ),
      ).toEqual({ refused: 'gone' });
    });

    it('lists members oldest first, changes roles, removes one or all', async () => {
      for (const u of ['u2', 'u3', 'u4']) await add(u);
      expect((await stores.rooms.members('c1')).map((m) => m.userId)).toEqual(['u2', 'u3', 'u4']);
      expect(await stores.rooms.setRole('c1', 'u3', 'viewer')).toMatchObject({
        userId: 'u3',
        role: 'viewer',
      });
      expect(await stores.rooms.setRole('c1', 'nobody', 'viewer')).toBeUndefined();
      expect(await stores.rooms.removeMember('c1', 'u2')).toBe(true);
      expect(await stores.rooms.removeMember('c1', 'u2')).toBe(false);
      expect((await stores.rooms.members('c1')).map((m) => [m.userId, m.role])).toEqual([
        ['u3', 'viewer'],
        ['u4', 'editor'],
      ]);
      expect(await stores.rooms.removeAll('c1')).toEqual(['u3', 'u4']);
      expect(await stores.rooms.removeAll('c1')).toEqual([]);
      expect((await stores.rooms.access('u3', 'c1'))?.role).toBeNull();
    });

    it('lists what was shared with a user among their own, with their role and their own pins', async () => {
      await stores.conversations.create({ id: 'c2', userId: 'u9', title: 'two' });
      await stores.conversations.create({ id: 'c3', userId: 'u9', title: 'three' });
      await stores.conversations.create({ id: 'mine', userId: 'u2', title: 'mine' });
      await add('u2', 'viewer');
      await stores.rooms.addMember(
        { conversationId: 'c2', userId: 'u2', role: 'editor', addedBy: 'u9' },
        20,
      );
      await stores.rooms.addMember(
        { conversationId: 'c2', userId: 'u3', role: 'editor', addedBy: 'u9' },
        20,
      );
      const listed = async (userId: string, opts: { limit?: number; search?: string } = {}) =>
        (await stores.conversations.page({ userId, limit: 10, ...opts })).items.map((c) => [
          c.id,
          c.role,
          c.pinnedAt !== null,
        ]);
      // Newest first: c1 was created before c2, c3 and mine; c3 is not theirs at all.
      expect(await listed('u2')).toEqual([
        ['mine', 'owner', false],
        ['c2', 'editor', false],
        ['c1', 'viewer', false],
      ]);
      expect(await listed('u2', { search: 'ONE' })).toEqual([['c1', 'viewer', false]]);
      // A member's pin is theirs alone: it moves c1 up for u2, not for its owner.
      const pinned = await stores.conversations.setPinned('u2', 'c1', true);
      expect([pinned?.id, pinned?.role, pinned?.pinnedAt instanceof Date]).toEqual([
        'c1',
        'viewer',
        true,
      ]);
      expect(await listed('u2')).toEqual([
        ['c1', 'viewer', true],
        ['mine', 'owner', false],
        ['c2', 'editor', false],
      ]);
      expect(await listed('u1')).toEqual([['c1', 'owner', false]]);
      // Paged by cursor across own and shared alike.
      const first = await stores.conversations.page({ userId: 'u2', limit: 2 });
      const rest = await stores.conversations.page({
        userId: 'u2',
        limit: 2,
        ...(first.next ? { cursor: first.next } : {}),
      });
      expect([...first.items, ...rest.items].map((c) => c.id)).toEqual(['c1', 'mine', 'c2']);
      expect(rest.next).toBeNull();
      // Outside a room there is nothing to pin.
      expect(await stores.conversations.setPinned('u3', 'c1', true)).toBeUndefined();
      expect(await stores.conversations.setPinned('u2', 'c1', false)).toMatchObject({
        pinnedAt: null,
      });
      expect(await stores.rooms.memberCounts(['c1', 'c2', 'c3', 'nope'])).toEqual(
        new Map([
          ['c1', 1],
          ['c2', 2],
        ]),
      );
      expect(await stores.rooms.memberCounts([])).toEqual(new Map());
      // Members as the port has them: a pin is not part of a member record.
      expect(Object.keys((await stores.rooms.members('c1'))[0] ?? {}).sort()).toEqual([
        'addedAt',
        'addedBy',
        'conversationId',
        'role',
        'userId',
      ]);
    });

    it('keeps comments in order, changes them only for their author, and pages back', async () => {
      await seedRun(stores, { runId: 'r1', conversationId: 'c1', newConversation: false });
      const ids: string[] = [];
      for (const i of [1, 2, 3, 4, 5]) {
        const c = await stores.comments.add({
          id: `k${i}`,
          conversationId: 'c1',
          runId: i === 2 ? 'r1' : null,
          userId: i % 2 ? 'u1' : 'u2',
          body: `**${i}**`,
        });
        ids.push(c.id);
        expect(c.editedAt).toBeNull();
      }
      expect(await stores.comments.get('k2')).toMatchObject({ runId: 'r1', userId: 'u2' });
      const newest = await stores.comments.list('c1', { limit: 3 });
      expect(newest.items.map((c) => c.id)).toEqual(['k3', 'k4', 'k5']);
      expect(newest.hasOlder).toBe(true);
      const older = await stores.comments.list('c1', { limit: 3, beforeId: 'k3' });
      expect(older).toEqual({
        items: [expect.objectContaining({ id: 'k1' }), expect.objectContaining({ id: 'k2' })],
        hasOlder: false,
      });
      expect(await stores.comments.edit('k2', 'u1', 'not mine')).toBeUndefined();
      const edited = await stores.comments.edit('k2', 'u2', 'better');
      expect(edited).toMatchObject({ id: 'k2', body: 'better', editedAt: expect.any(Date) });
      expect(await stores.comments.delete('k2', 'u1')).toBe(false);
      expect(await stores.comments.delete('k2', 'u2')).toBe(true);
      expect(await stores.comments.get('k2')).toBeUndefined();
      expect((await stores.comments.list('c1', { limit: 10 })).items.map((c) => c.body)).toEqual([
        '**1**',
        '**3**',
        '**4**',
        '**5**',
      ]);
      await expect(
        stores.comments.add({
          id: 'x',
          conversationId: 'gone',
          runId: null,
          userId: 'u1',
          body: 'x',
        }),
      ).rejects.toBeInstanceOf(NotFoundError);
    });

    it('numbers room events itself, contiguously, also when many append at once', async () => {
      expect(await stores.roomHistory.lastSeq('c1')).toBe(0);
      const first = await stores.roomHistory.append('c1', renamed('a'));
      expect(first).toEqual({
        type: 'renamed',
        title: 'a',
        by: 'u1',
        seq: 1,
        conversationId: 'c1',
        at: expect.any(Date),
      });
      const many = await Promise.all(
        Array.from({ length: 20 }, (_, i) => stores.roomHistory.append('c1', renamed(`t${i}`))),
      );
      expect(many.map((e) => e.seq).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 20 }, (_, i) => i + 2),
      );
      expect(await stores.roomHistory.lastSeq('c1')).toBe(21);
      const after = await stores.roomHistory.after('c1', 19, 10);
      expect(after.map((e) => e.seq)).toEqual([20, 21]);
      expect(await stores.roomHistory.after('c1', 0, 3)).toEqual([
        first,
        ...many.filter((e) => e.seq <= 3),
      ]);
      expect(await stores.roomHistory.ended('c1')).toBe(false);
      // Each room counts on its own.
      await stores.conversations.create({ id: 'c2', userId: 'u1', title: 'two' });
      expect((await stores.roomHistory.append('c2', renamed('b'))).seq).toBe(1);
    });

    it('keeps every kind of room event as it was appended', async () => {
      const at = new Date(1_700_000_000_123);
      const comment = {
        id: 'k1',
        conversationId: 'c1',
        runId: null,
        userId: 'u2',
        body: 'hi',
        createdAt: at,
        editedAt: null,
      };
      const member = { userId: 'u2', role: 'viewer' as const, addedBy: 'u1', addedAt: at };
      const inputs: RoomEventInput[] = [
        {
          type: 'run_started',
          runId: 'r',
          userId: 'u1',
          kind: 'sql',
          query: 'SELECT 1',
          datasetId: 'shop',
        },
        { type: 'comment_added', comment },
        { type: 'comment_edited', comment: { ...comment, editedAt: at } },
        { type: 'comment_deleted', commentId: 'k1', userId: 'u2' },
        { type: 'member_added', member, by: 'u1' },
        { type: 'member_role_changed', member: { ...member, role: 'editor' }, by: 'u1' },
        { type: 'member_removed', userId: 'u2', by: 'u2', why: 'left' },
        { type: 'unshared', removed: ['u3', 'u4'], by: 'u1' },
        renamed('new'),
        { type: 'deleted', by: 'u1' },
      ];
      for (const input of inputs) await stores.roomHistory.append('c1', input);
      const stored = await stores.roomHistory.after('c1', 0, 100);
      expect(stored.map(({ seq: _s, conversationId: _c, at: _a, ...rest }) => rest)).toEqual(
        inputs,
      );
    });

    it('takes the room with the conversation: members, comments and events', async () => {
      await add('u2');
      await stores.comments.add({
        id: 'k1',
        conversationId: 'c1',
        runId: null,
        userId: 'u2',
        body: 'x',
      });
      await stores.roomHistory.append('c1', renamed('a'));
      expect(await stores.conversations.delete('u1', 'c1')).toBe(true);
      expect(await stores.rooms.members('c1')).toEqual([]);
      expect(await stores.rooms.access('u2', 'c1')).toBeUndefined();
      expect(await stores.comments.get('k1')).toBeUndefined();
      expect(await stores.roomHistory.after('c1', 0, 10)).toEqual([]);
      expect(await stores.roomHistory.ended('c1')).toBe(true);
      await expect(stores.roomHistory.append('c1', renamed('b'))).rejects.toBeInstanceOf(
        NotFoundError,
      );
    });
  });
}
