// Who may see what, through createCaller over a real in-memory store: every procedure scoped to
// the caller's user, sign-in required, admins apart, runs.start rate-limited, and all of it audited.
// (What admins see and do: admin.test.ts.)
import { afterEach, describe, expect, it } from 'vitest';
import { RateLimitedError } from '../errors.ts';
import { caught, connection, drain, expectCode, HEAVY } from '../test/calls.ts';
import { createTestApp } from '../test/setup.ts';

type App = Awaited<ReturnType<typeof createTestApp>>;
let app: App;
afterEach(async () => {
  await app?.close();
});

describe('isolation between users', () => {
  it("answers NOT_FOUND for every read, stream, change and post into another user's things", async () => {
    app = await createTestApp({ concurrency: 2 });
    const alice = app.callerFor('alice');
    const bob = app.callerFor('bob');
    const done = await alice.runs.start({ query: 'SELECT 1 AS one' });
    await drain(await alice.runs.events({ runId: done.runId }));
    const live = await alice.runs.start({ query: HEAVY, conversationId: done.conversationId });
    const conversationId = done.conversationId;

    // Reads and streams.
    await expectCode(bob.runs.byId({ runId: done.runId }), 'NOT_FOUND');
    await expectCode(bob.runs.events({ runId: done.runId }), 'NOT_FOUND');
    await expectCode(bob.runs.events({ runId: live.runId, lastEventId: '1' }), 'NOT_FOUND');
    await expectCode(bob.runs.list({ conversationId, limit: 20 }), 'NOT_FOUND');
    await expectCode(bob.conversations.byId({ conversationId }), 'NOT_FOUND');
    expect((await bob.runs.list()).items).toEqual([]);
    expect(await bob.conversations.list()).toEqual({ items: [], nextCursor: null });
    // Changes and posts.
    await expectCode(bob.runs.cancel({ runId: live.runId }), 'NOT_FOUND');
    await expectCode(bob.conversations.rename({ conversationId, title: 'mine now' }), 'NOT_FOUND');
    await expectCode(bob.conversations.delete({ conversationId }), 'NOT_FOUND');
    await expectCode(bob.runs.start({ query: 'SELECT 2', conversationId }), 'NOT_FOUND');

    // Nothing of Alice's moved: same title, same messages, her run still going.
    const convo = await alice.conversations.byId({ conversationId });
    expect(convo.title).toBe('SELECT 1 AS one');
    expect(convo.messages.map((m) => [m.role, m.runId])).toEqual([
      ['user', done.runId],
      ['assistant', done.runId],
      ['user', live.runId],
    ]);
    expect((await alice.runs.byId({ runId: live.runId })).status).not.toBe('cancelled');
    expect((await alice.runs.list({ conversationId, limit: 20 })).items).toHaveLength(2);
    expect(await alice.runs.cancel({ runId: live.runId })).toEqual({
      runId: live.runId,
      status: 'cancelled',
    });
    // Bob's own work is his alone, too.
    const own = await bob.runs.start({ query: 'SELECT 3' });
    await expectCode(alice.runs.byId({ runId: own.runId }), 'NOT_FOUND');
    expect((await bob.runs.list()).items.map((r) => r.id)).toEqual([own.runId]);
  });

  it('says the same for a foreign id as for one that never existed', async () => {
    app = await createTestApp();
    const alice = app.callerFor('alice');
    const bob = app.callerFor('bob');
    const { runId, conversationId } = await alice.runs.start({ query: 'SELECT 1' });
    const foreign = await caught(bob.runs.byId({ runId }));
    const unknown = await caught(bob.runs.byId({ runId: 'no-such-run' }));
    expect(foreign.message.replace(runId, 'ID')).toBe(unknown.message.replace('no-such-run', 'ID'));
    const foreignConvo = await caught(bob.conversations.byId({ conversationId }));
    const unknownConvo = await caught(bob.conversations.byId({ conversationId: 'nope' }));
    expect(foreignConvo.message.replace(conversationId, 'ID')).toBe(
      unknownConvo.message.replace('nope', 'ID'),
    );
  });
});

describe('sign-in and roles', () => {
  it('refuses every procedure but health, session and meta.config without a user, and audits it once per connection', async () => {
    app = await createTestApp();
    const { runId } = await app.callerFor('alice').runs.start({ query: 'SELECT 1' });
    const conn = connection('c-anon', null);
    const anon = app.callerWith({ userId: null, authFailure: 'expired', connection: conn });
    const refused = [
      anon.runs.start({ query: 'SELECT 1' }),
      anon.runs.byId({ runId }),
      anon.runs.events({ runId }),
      anon.runs.cancel({ runId }),
      anon.runs.list(),
      anon.conversations.list(),
      anon.conversations.create({}),
      anon.datasets.list(),
      anon.notices(),
      anon.admin.metrics(),
    ];
    for (const call of refused) {
      const err = await caught(call);
      expect(err.code).toBe('UNAUTHORIZED');
      expect(err.message).toBe('The token has expired: sign in again.');
    }
    expect((await anon.health()).ok).toBe(true);
    expect(await anon.session()).toEqual({
      authMode: 'none',
      user: null,
      sharing: {
        enabled: false,
        reason: expect.stringContaining('Sharing needs sign-in'),
        maxMembers: 20,
      },
    });
    expect(await anon.meta.config()).toMatchObject({
      version: '0.0.0-test',
      features: { auth: 'none' },
    });

    const rows = await app.stores.audit.list({ limit: 100 });
    expect(rows.map((r) => [r.kind, r.reason, r.userId, r.ip, r.target, r.detail])).toEqual([
      ['refused', 'unauthorized', null, conn.ip, 'runs.start', { why: 'expired' }],
    ]);
    expect(app.services.audit.refusals.unauthorized).toBe(refused.length);
  });

  it('tells a signed-in caller who they are', async () => {
    app = await createTestApp({ authMode: 'token' });
    const sharing = { enabled: true, reason: null, maxMembers: 20 };
    expect(await app.callerFor('root', 'admin').session()).toEqual({
      authMode: 'token',
      user: { id: 'root', role: 'admin' },
      sharing,
    });
    expect(await app.callerFor('alice').session()).toEqual({
      authMode: 'token',
      user: { id: 'alice', role: 'user' },
      sharing,
    });
  });

  it('keeps admin procedures from non-admins with FORBIDDEN, audited', async () => {
    app = await createTestApp();
    const alice = app.callerFor('alice');
    await expectCode(alice.admin.metrics(), 'FORBIDDEN');
    await expectCode(alice.admin.connections(), 'FORBIDDEN');
    await expectCode(alice.admin.audit(), 'FORBIDDEN');
    await expectCode(alice.admin.broadcast({ message: 'hi' }), 'FORBIDDEN');
    const rows = await app.stores.audit.list({ limit: 10, reason: 'forbidden' });
    expect(rows.map((r) => [r.userId, r.target])).toEqual([
      ['alice', 'admin.broadcast'],
      ['alice', 'admin.audit'],
      ['alice', 'admin.connections'],
      ['alice', 'admin.metrics'],
    ]);
    expect(app.services.notices.lastId).toBe(0);
  });
});

describe('runs.start rate', () => {
  it('takes runsPerMinute per user, then TOO_MANY_REQUESTS with when to retry', async () => {
    let now = 1_000_000;
    app = await createTestApp({ runsPerMinute: 2, now: () => now });
    const alice = app.callerFor('alice');
    await alice.runs.start({ query: 'SELECT 1' });
    await alice.runs.start({ query: 'SELECT 2' });
    const err = await caught(alice.runs.start({ query: 'SELECT 3' }));
    expect(err.code).toBe('TOO_MANY_REQUESTS');
    expect(err.message).toBe('Too many runs started: try again in 30 s.');
    expect(err.cause).toBeInstanceOf(RateLimitedError);
    expect((err.cause as RateLimitedError).retryAfterMs).toBe(30_000);
    // Bad input costs nothing, and another user has a bucket of their own.
    await expectCode(alice.runs.start({ query: '' }), 'BAD_REQUEST');
    await app.callerFor('bob').runs.start({ query: 'SELECT 1' });

    now += 29_999;
    expect(
      ((await caught(alice.runs.start({ query: 'SELECT 3' }))).cause as RateLimitedError)
        .retryAfterMs,
    ).toBe(1);
    now += 1;
    await alice.runs.start({ query: 'SELECT 3' });

    const rows = await app.stores.audit.list({ limit: 10, reason: 'runs_per_minute' });
    expect(rows.map((r) => [r.userId, r.target, r.detail])).toEqual([
      ['alice', 'runs.start', { retryAfterMs: 1, perMinute: 2 }],
      ['alice', 'runs.start', { retryAfterMs: 30_000, perMinute: 2 }],
    ]);
    expect(app.services.audit.refusals.runs_per_minute).toBe(2);
  });
});

describe('audit of actions', () => {
  it('records cancels and deletes with who and what', async () => {
    app = await createTestApp();
    const conn = connection('c-alice', 'alice');
    const alice = app.callerWith({ userId: 'alice', role: 'user', connection: conn });
    const { runId, conversationId } = await alice.runs.start({ query: HEAVY });
    await alice.runs.cancel({ runId });
    await alice.conversations.delete({ conversationId });
    const rows = await app.stores.audit.list({ limit: 10 });
    expect(rows.map((r) => [r.kind, r.userId, r.ip, r.target])).toEqual([
      ['conversation_deleted', 'alice', conn.ip, conversationId],
      ['run_cancelled', 'alice', conn.ip, runId],
    ]);
  });
});
