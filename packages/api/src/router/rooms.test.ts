// Rooms through createCaller over a real in-memory store: who may do what as owner, editor,
// viewer and outsider, what each refusal leaves in the audit, the member limit, comments, typing
// and the live room stream. (The same over a real socket: apps/server/src/test/rooms.test.ts.)
import type { RoomStreamItem } from '@querylane/runs';
import { until } from '@querylane/runs/testing';
import { TRPCError } from '@trpc/server';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp } from '../test/setup.ts';

type App = Awaited<ReturnType<typeof createTestApp>>;
let app: App;
afterEach(async () => {
  await app?.close();
});

async function code(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof TRPCError)) throw new Error(`expected a TRPCError, got ${String(err)}`);
  return err.code;
}

/** Alice's conversation with one finished run, shared with Bob as `role`. */
async function sharedRoom(
  role: 'editor' | 'viewer',
  opts: Parameters<typeof createTestApp>[0] = {},
) {
  app = await createTestApp({ authMode: 'token', ...opts });
  const alice = app.callerFor('alice');
  const bob = app.callerFor('bob');
  const carol = app.callerFor('carol');
  const { runId, conversationId } = await alice.runs.start({ query: 'SELECT 1 AS one' });
  for await (const _ of await alice.runs.events({ runId })) {
    // drained: the run has ended
  }
  await alice.rooms.share({ conversationId, userId: 'bob', role });
  return { alice, bob, carol, runId, conversationId };
}

describe('membership', () => {
  it('lets an editor read, run and comment, and shows the room in their list', async () => {
    const { alice, bob, runId, conversationId } = await sharedRoom('editor');
    expect((await bob.conversations.list()).items.map((c) => [c.id, c.role, c.ownerId])).toEqual([
      [conversationId, 'editor', 'alice'],
    ]);
    expect((await alice.conversations.list()).items.map((c) => [c.role, c.members])).toEqual([
      ['owner', 1],
    ]);
    const convo = await bob.conversations.byId({ conversationId });
    expect([convo.access, convo.ownerId, convo.messages.map((m) => m.userId)]).toEqual([
      'editor',
      'alice',
      ['alice', 'alice'],
    ]);
    expect((await bob.runs.byId({ runId })).result?.rows).toEqual([[1]]);
    const own = await bob.runs.start({ query: 'SELECT 2 AS two', conversationId });
    // The room's thread lists everyone's runs; each person's own list only theirs.
    const thread = await alice.runs.list({ conversationId, limit: 20 });
    expect(thread.items.map((r) => [r.id, r.userId])).toEqual([
      [own.runId, 'bob'],
      [runId, 'alice'],
    ]);
    expect((await alice.runs.list()).items.map((r) => r.id)).toEqual([runId]);
    await bob.comments.add({ conversationId, body: 'nice', runId });
    expect((await alice.comments.list({ conversationId })).items.map((c) => c.body)).toEqual([
      'nice',
    ]);
  });

  it('refuses a viewer who runs with FORBIDDEN, audited, and lets them read and comment', async () => {
    const { alice, bob, conversationId, runId } = await sharedRoom('viewer');
    expect(await code(bob.runs.start({ query: 'SELECT 2', conversationId }))).toBe('FORBIDDEN');
    expect(await code(bob.runs.cancel({ runId }))).toBe('FORBIDDEN');
    expect(await code(bob.conversations.rename({ conversationId, title: 'x' }))).toBe('FORBIDDEN');
    expect(await code(bob.conversations.delete({ conversationId }))).toBe('FORBIDDEN');
    expect(await code(bob.rooms.share({ conversationId, userId: 'carol', role: 'viewer' }))).toBe(
      'FORBIDDEN',
    );
    await bob.comments.add({ conversationId, body: 'I only watch' });
    expect((await bob.conversations.byId({ conversationId })).access).toBe('viewer');
    const rows = await app.stores.audit.list({ limit: 20, reason: 'forbidden' });
    expect(rows.map((r) => [r.userId, r.target, r.detail?.role, r.detail?.needs])).toEqual([
      ['bob', 'rooms.share', 'viewer', 'owner'],
      ['bob', 'conversations.delete', 'viewer', 'owner'],
      ['bob', 'conversations.rename', 'viewer', 'owner'],
      ['bob', 'runs.cancel', 'viewer', 'owner'],
      ['bob', 'runs.start', 'viewer', 'editor'],
    ]);
    // Made an editor, the same call goes through.
    await alice.rooms.setRole({ conversationId, userId: 'bob', role: 'editor' });
    await bob.runs.start({ query: 'SELECT 2', conversationId });
  });

  it('answers an outsider NOT_FOUND for every room procedure, audited as not_member', async () => {
    const { alice, bob, carol, conversationId, runId } = await sharedRoom('editor');
    const comment = await bob.comments.add({ conversationId, body: 'mine' });
    const refused = [
      carol.rooms.byId({ conversationId }),
      carol.rooms.members({ conversationId }),
      carol.rooms.share({ conversationId, userId: 'dave', role: 'viewer' }),
      carol.rooms.setRole({ conversationId, userId: 'bob', role: 'viewer' }),
      carol.rooms.remove({ conversationId, userId: 'bob' }),
      carol.rooms.unshare({ conversationId }),
      carol.rooms.leave({ conversationId }),
      carol.rooms.typing({ conversationId, typing: true }),
      carol.rooms.events({ conversationId }),
      carol.comments.list({ conversationId }),
      carol.comments.add({ conversationId, body: 'hi' }),
      carol.comments.edit({ commentId: comment.id, body: 'x' }),
      carol.comments.delete({ commentId: comment.id }),
      carol.conversations.byId({ conversationId }),
      carol.runs.byId({ runId }),
      carol.runs.events({ runId }),
      carol.runs.list({ conversationId }),
      carol.runs.start({ query: 'SELECT 1', conversationId }),
      carol.runs.cancel({ runId }),
    ];
    for (const call of refused) expect(await code(call)).toBe('NOT_FOUND');
    const rows = await app.stores.audit.list({ limit: 100, reason: 'not_member' });
    expect(rows).toHaveLength(refused.length);
    expect(new Set(rows.map((r) => r.userId))).toEqual(new Set(['carol']));
    // Nothing moved: still Bob's comment, still two people in the room.
    expect((await alice.comments.list({ conversationId })).items.map((c) => c.body)).toEqual([
      'mine',
    ]);
    expect((await alice.rooms.members({ conversationId })).members.map((m) => m.userId)).toEqual([
      'bob',
    ]);
  });

  it('changes roles, removes, lets a member leave, and unshares', async () => {
    const { alice, bob, carol, conversationId } = await sharedRoom('viewer');
    await alice.rooms.share({ conversationId, userId: 'carol', role: 'editor' });
    expect(await code(alice.rooms.share({ conversationId, userId: 'carol', role: 'viewer' }))).toBe(
      'CONFLICT',
    );
    expect(await code(alice.rooms.share({ conversationId, userId: 'alice', role: 'viewer' }))).toBe(
      'BAD_REQUEST',
    );
    expect(
      await code(alice.rooms.share({ conversationId, userId: 'no spaces', role: 'viewer' })),
    ).toBe('BAD_REQUEST');
    expect(
      await alice.rooms.setRole({ conversationId, userId: 'bob', role: 'editor' }),
    ).toMatchObject({
      userId: 'bob',
      role: 'editor',
    });
    expect(await code(alice.rooms.setRole({ conversationId, userId: 'zed', role: 'editor' }))).toBe(
      'NOT_FOUND',
    );
    await bob.rooms.leave({ conversationId });
    expect(await code(bob.conversations.byId({ conversationId }))).toBe('NOT_FOUND');
    expect(await code(alice.rooms.leave({ conversationId }))).toBe('BAD_REQUEST');
    await alice.rooms.share({ conversationId, userId: 'bob', role: 'viewer' });
    await alice.rooms.remove({ conversationId, userId: 'carol' });
    expect(await code(carol.rooms.byId({ conversationId }))).toBe('NOT_FOUND');
    expect(await alice.rooms.unshare({ conversationId })).toEqual({
      conversationId,
      removed: ['bob'],
    });
    expect((await bob.conversations.list()).items).toEqual([]);
    const actions = await app.stores.audit.list({ limit: 20 });
    expect(
      actions.filter((r) => r.kind !== 'refused').map((r) => [r.kind, r.userId, r.detail]),
    ).toEqual([
      ['room_unshared', 'alice', { members: 1 }],
      ['member_removed', 'alice', { member: 'carol' }],
      ['member_added', 'alice', { member: 'bob', role: 'viewer' }],
      ['member_left', 'bob', null],
      ['member_role_changed', 'alice', { member: 'bob', role: 'editor' }],
      ['member_added', 'alice', { member: 'carol', role: 'editor' }],
      ['member_added', 'alice', { member: 'bob', role: 'viewer' }],
    ]);
  });

  it('holds at most roomMaxMembers besides the owner, and says so', async () => {
    const { alice, conversationId } = await sharedRoom('viewer', { roomMaxMembers: 2 });
    await alice.rooms.share({ conversationId, userId: 'carol', role: 'viewer' });
    const err = await alice.rooms
      .share({ conversationId, userId: 'dave', role: 'viewer' })
      .catch((e) => e);
    expect([err.code, err.message]).toEqual([
      'PRECONDITION_FAILED',
      'A room holds at most 2 members besides its owner; remove someone first.',
    ]);
    const rows = await app.stores.audit.list({ limit: 5, reason: 'member_limit' });
    expect(rows.map((r) => [r.userId, r.target, r.detail])).toEqual([
      ['alice', 'rooms.share', { conversationId, max: 2 }],
    ]);
    await alice.rooms.remove({ conversationId, userId: 'carol' });
    await alice.rooms.share({ conversationId, userId: 'dave', role: 'viewer' });
  });

  it('disables sharing without sign-in, with the reason', async () => {
    app = await createTestApp({ authMode: 'none' });
    const local = app.callerFor('local');
    const { id: conversationId } = await local.conversations.create({});
    const err = await local.rooms
      .share({ conversationId, userId: 'bob', role: 'viewer' })
      .catch((e) => e);
    expect(err.code).toBe('PRECONDITION_FAILED');
    expect(err.message).toMatch(
      /^Sharing needs sign-in: this server runs with QUERYLANE_AUTH=none/,
    );
    expect((await local.session()).sharing.enabled).toBe(false);
    expect(await app.stores.audit.list({ limit: 5, reason: 'sharing_disabled' })).toHaveLength(1);
  });
});

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
    const { bob, alice, conversationId } = await sharedRoom('viewer', { commentsPerMinute: 2 });
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
    const { alice, bob, conversationId } = await sharedRoom('viewer', { now: () => now });
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
