// The conversation half of the history store contract: messages, listing, paging and search.
// `describeStores` runs these cases inside its own suite, on the stores it opened.
import { expect, it } from 'vitest';
import type { ConversationCursor, Stores } from '../ports.ts';
import { seedRun } from './fixtures.ts';

export function conversationCases(current: () => Stores) {
  it('orders messages and cascades a conversation delete to runs and events', async () => {
    const stores = current();
    await seedRun(stores, { runId: 'r1', conversationId: 'c1' });
    for (const [i, role] of (['assistant', 'user'] as const).entries()) {
      await stores.conversations.appendMessage({
        id: `m${i}`,
        conversationId: 'c1',
        userId: 'u1',
        role,
        content: `${i}`,
        runId: 'r1',
      });
    }
    expect((await stores.conversations.messages('c1')).map((m) => m.role)).toEqual([
      'user',
      'assistant',
      'user',
    ]);
    const before = (await stores.conversations.page({ userId: 'u1', limit: 10 })).items.find(
      (c) => c.id === 'c1',
    );
    const renamed = await stores.conversations.rename('u1', 'c1', 'renamed');
    expect(renamed?.title).toBe('renamed');
    expect(renamed && before && renamed.updatedAt > before.updatedAt).toBe(true);
    expect(await stores.conversations.rename('u2', 'c1', 'x')).toBeUndefined();
    expect(await stores.conversations.delete('u2', 'c1')).toBe(false);
    expect(await stores.conversations.delete('u1', 'c1')).toBe(true);
    expect(await stores.runs.get('r1')).toBeUndefined();
    expect(await stores.history.after('r1', 0, 10)).toEqual([]);
    expect(await stores.conversations.messages('c1')).toEqual([]);
  });

  it('lists conversations most recently updated first, per user', async () => {
    const stores = current();
    await stores.conversations.create({ id: 'old', userId: 'u1', title: 'old' });
    await stores.conversations.create({ id: 'new', userId: 'u1', title: 'new' });
    await stores.conversations.create({ id: 'theirs', userId: 'u2', title: 'x' });
    const ids = async (opts: { limit?: number; search?: string } = {}) =>
      (await stores.conversations.page({ userId: 'u1', limit: 10, ...opts })).items.map(
        (c) => c.id,
      );
    expect(await ids()).toEqual(['new', 'old']);
    await stores.conversations.appendMessage({
      id: 'm',
      conversationId: 'old',
      userId: 'u1',
      role: 'user',
      content: 'hi',
      runId: null,
    });
    expect(await ids({ limit: 1 })).toEqual(['old']);
  });

  it('pages conversations past any count, pinned ones first, with a cursor', async () => {
    const stores = current();
    for (let i = 1; i <= 7; i++) {
      await stores.conversations.create({ id: `c${i}`, userId: 'u1', title: `talk ${i}` });
    }
    expect((await stores.conversations.setPinned('u1', 'c2', true))?.pinnedAt).toBeInstanceOf(Date);
    await stores.conversations.setPinned('u1', 'c5', true);
    // Not theirs: nothing changes.
    expect(await stores.conversations.setPinned('u2', 'c1', true)).toBeUndefined();
    const seen: string[] = [];
    let cursor: ConversationCursor | undefined;
    for (let pages = 1; ; pages++) {
      const page = await stores.conversations.page({
        userId: 'u1',
        limit: 3,
        ...(cursor ? { cursor } : {}),
      });
      seen.push(...page.items.map((c) => c.id));
      if (!page.next) {
        expect(pages).toBe(3);
        break;
      }
      cursor = page.next;
    }
    // Most recently pinned first, then the rest newest first; each exactly once.
    expect(seen).toEqual(['c5', 'c2', 'c7', 'c6', 'c4', 'c3', 'c1']);
    // Unpinned, it goes back to its place by last update (pinning is not an update).
    await stores.conversations.setPinned('u1', 'c5', false);
    const first = await stores.conversations.page({ userId: 'u1', limit: 7 });
    expect(first.items.map((c) => c.id)).toEqual(['c2', 'c7', 'c6', 'c5', 'c4', 'c3', 'c1']);
    expect(first.items.map((c) => c.pinnedAt !== null)).toEqual([
      true,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('searches titles and messages, ignoring case, with wildcards taken literally', async () => {
    const stores = current();
    await stores.conversations.create({ id: 'a', userId: 'u1', title: 'Revenue by month' });
    await stores.conversations.create({ id: 'b', userId: 'u1', title: 'Untitled' });
    await stores.conversations.create({ id: 'c', userId: 'u1', title: '100% done_now' });
    await stores.conversations.create({ id: 'd', userId: 'u2', title: 'revenue too' });
    await stores.conversations.appendMessage({
      id: 'm1',
      conversationId: 'b',
      userId: 'u1',
      role: 'user',
      content: 'SELECT sum(REVENUE) FROM orders',
      runId: null,
    });
    const ids = async (search: string) =>
      (await stores.conversations.page({ userId: 'u1', limit: 10, search })).items.map((c) => c.id);
    expect(await ids('revenue')).toEqual(['b', 'a']);
    expect(await ids('ORDERS')).toEqual(['b']);
    expect(await ids('%')).toEqual(['c']);
    expect(await ids('e_n')).toEqual(['c']);
    expect(await ids('nothing like it')).toEqual([]);
  });
}
