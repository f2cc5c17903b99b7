// Rooms through createCaller over a real in-memory store: who may do what as owner, editor,
// viewer and outsider, what each refusal leaves in the audit, and the member limit. Comments,
// typing and the live stream: rooms-live.test.ts. Over a real socket: apps/server's rooms tests.
import { describe, expect, it } from 'vitest';
import { code, sharedRoom, testApp } from '../test/rooms.ts';

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
    const { app, alice, bob, conversationId, runId } = await sharedRoom('viewer');
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
    const { app, alice, bob, carol, conversationId, runId } = await sharedRoom('editor');
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
    const { app, alice, bob, carol, conversationId } = await sharedRoom('viewer');
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
    const { app, alice, conversationId } = await sharedRoom('viewer', { roomMaxMembers: 2 });
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
    const app = await testApp({ authMode: 'none' });
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
