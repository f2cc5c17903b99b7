// Rooms through createCaller over a real in-memory store: comments (sanitised, the author's own,
// rate-limited), typing indicators, and the live room stream with its resume and its ends.
import type { RoomStreamItem } from '@querylane/runs';
import { until } from '@querylane/runs/testing';
import { describe, expect, it } from 'vitest';
import { code, sharedRoom } from '../test/rooms.ts';

describe('comments', () => {
  it('stores sanitised markdown in order, lets only the author change it, and limits length', async () => {
    const { alice, bob, conversationId, runId } = await sharedRoom('viewer');
    const first = await bob.comments.add({
      conversationId,
      body: '**Look** <script>alert(1)</script> [here](javascript:alert(2)) [docs](https://e.com)',
    });
    expect(first.body).toBe('**Look** alert(1) here) [docs](https://e.com)');
    const second = await alice.comments.add({ conversationId, runId, body: 'On this run' });
    expect(second.runId).toBe(runId);
    expect(await code(alice.comments.edit({ commentId: first.id, body: 'mine now' }))).toBe(
      'FORBIDDEN',
    );
    expect(await code(alice.comments.delete({ commentId: first.id }))).toBe('FORBIDDEN');
    const edited = await bob.comments.edit({ commentId: first.id, body: 'Look again' });
    expect([edited.body, edited.editedAt instanceof Date]).toEqual(['Look again', true]);
    expect(await code(bob.comments.add({ conversationId, body: 'x'.repeat(2001) }))).toBe(
      'BAD_REQUEST',
    );
    expect(await code(bob.comments.add({ conversationId, body: '<br>  ' }))).toBe('BAD_REQUEST');
    // A run of another conversation is not one this comment can be about.
    const other = await alice.runs.start({ query: 'SELECT 3' });
    expect(await code(alice.comments.add({ conversationId, runId: other.runId, body: 'x' }))).toBe(
      'NOT_FOUND',
    );
    await bob.comments.delete({ commentId: first.id });
    expect((await alice.comments.list({ conversationId })).items.map((c) => c.body)).toEqual([
      'On this run',
    ]);
  });

  it('takes commentsPerMinute per user, then TOO_MANY_REQUESTS', async () => {
    const { app, bob, alice, conversationId } = await sharedRoom('viewer', {
      commentsPerMinute: 2,
    });
    await bob.comments.add({ conversationId, body: '1' });
    await bob.comments.add({ conversationId, body: '2' });
    expect(await code(bob.comments.add({ conversationId, body: '3' }))).toBe('TOO_MANY_REQUESTS');
    await alice.comments.add({ conversationId, body: 'hers' });
    expect(await app.stores.audit.list({ limit: 5, reason: 'comments_per_minute' })).toHaveLength(
      1,
    );
  });
});

describe('typing', () => {
  it('takes one start per 1.5 s per user and room, any stop at once, and shows who types', async () => {
    let now = 5_000_000;
    const { app, alice, bob, conversationId } = await sharedRoom('viewer', { now: () => now });
    await bob.rooms.typing({ conversationId, typing: true });
    expect((await alice.rooms.byId({ conversationId })).presence.typing).toEqual(['bob']);
    const err = await bob.rooms.typing({ conversationId, typing: true }).catch((e) => e);
    expect([err.code, err.cause?.retryAfterMs]).toEqual(['TOO_MANY_REQUESTS', 1_500]);
    now += 1_499;
    expect(await code(bob.rooms.typing({ conversationId, typing: true }))).toBe(
      'TOO_MANY_REQUESTS',
    );
    await alice.rooms.typing({ conversationId, typing: true }); // her own allowance
    now += 1;
    await bob.rooms.typing({ conversationId, typing: true });
    await bob.rooms.typing({ conversationId, typing: false });
    await bob.rooms.typing({ conversationId, typing: false });
    expect((await alice.rooms.byId({ conversationId })).presence.typing).toEqual(['alice']);
    // Sending a comment stops the indicator too.
    await alice.comments.add({ conversationId, body: 'done' });
    expect((await bob.rooms.byId({ conversationId })).presence.typing).toEqual([]);
    const rows = await app.stores.audit.list({ limit: 5, reason: 'typing_rate' });
    expect(rows.map((r) => [r.userId, r.detail])).toEqual([
      ['bob', { retryAfterMs: 1, conversationId }],
      ['bob', { retryAfterMs: 1_500, conversationId }],
    ]);
  });
});

describe('rooms.events', () => {
  it("streams the room's events in order with presence, and ends for a member who is removed", async () => {
    const { alice, bob, conversationId } = await sharedRoom('editor');
    const { lastEventId } = await bob.rooms.byId({ conversationId });
    const seen: RoomStreamItem[] = [];
    const ids: string[] = [];
    const reading = (async () => {
      for await (const tracked of await bob.rooms.events({ conversationId, lastEventId })) {
        const [id, item] = tracked as unknown as [string, RoomStreamItem];
        ids.push(id);
        seen.push(item);
      }
    })();
    await until(() =>
      expect(seen).toContainEqual({ type: 'presence', present: ['bob'], typing: [] }),
    );
    const run = await bob.runs.start({ query: 'SELECT 5', conversationId });
    await alice.comments.add({ conversationId, body: 'hello' });
    await alice.conversations.rename({ conversationId, title: 'Shared' });
    await alice.rooms.remove({ conversationId, userId: 'bob' });
    await reading;
    const events = seen.filter((i) => i.type !== 'presence');
    expect(events.map((e) => e.type)).toEqual([
      'run_started',
      'comment_added',
      'renamed',
      'member_removed',
    ]);
    const first = events[0];
    expect(first?.type === 'run_started' && [first.runId, first.userId]).toEqual([
      run.runId,
      'bob',
    ]);
    const start = Number(lastEventId);
    expect(events.map((e) => ('seq' in e ? e.seq : 0))).toEqual([
      start + 1,
      start + 2,
      start + 3,
      start + 4,
    ]);
    // Presence ids continue from the seq before them; every id is new.
    expect(ids[0]).toBe(`${start}-1`);
    expect(new Set(ids).size).toBe(ids.length);
    // The stream ended, so Bob is no longer present.
    expect((await alice.rooms.byId({ conversationId })).presence.present).toEqual([]);
  });

  it('resumes someone removed while away up to their removal, and only them', async () => {
    const { alice, bob, carol, conversationId } = await sharedRoom('editor');
    const { lastEventId } = await bob.rooms.byId({ conversationId });
    await alice.comments.add({ conversationId, body: 'while you were away' });
    await alice.rooms.remove({ conversationId, userId: 'bob' });
    await alice.comments.add({ conversationId, body: 'after you left' });
    const types: string[] = [];
    for await (const tracked of await bob.rooms.events({ conversationId, lastEventId })) {
      types.push((tracked as unknown as [string, RoomStreamItem])[1].type);
    }
    expect(types).toEqual(['comment_added', 'member_removed']);
    // From after the removal, or from nowhere, there is nothing for them; nor for an outsider.
    const after = String(Number(lastEventId) + 2);
    expect(await code(bob.rooms.events({ conversationId, lastEventId: after }))).toBe('NOT_FOUND');
    expect(await code(bob.rooms.events({ conversationId }))).toBe('NOT_FOUND');
    expect(await code(carol.rooms.events({ conversationId, lastEventId: '0' }))).toBe('NOT_FOUND');
  });

  it('ends everyone with `deleted` when the owner deletes the conversation', async () => {
    const { alice, bob, conversationId } = await sharedRoom('viewer');
    const types: string[][] = [[], []];
    const readers = [alice, bob].map(async (caller, i) => {
      for await (const tracked of await caller.rooms.events({ conversationId })) {
        types[i]?.push((tracked as unknown as [string, RoomStreamItem])[1].type);
      }
    });
    await until(() => expect(types.every((t) => t.includes('presence'))).toBe(true));
    await alice.conversations.delete({ conversationId });
    await Promise.all(readers);
    for (const t of types) expect(t.filter((x) => x !== 'presence')).toEqual(['deleted']);
    expect(await code(bob.rooms.events({ conversationId }))).toBe('NOT_FOUND');
  });
});
