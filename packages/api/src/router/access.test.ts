// Who may see what, through createCaller over a real in-memory store: every procedure scoped to
// the caller's user, sign-in required, admins apart, runs.start rate-limited, and all of it audited.
import type { RunEvent } from '@querylane/contracts';
import { until } from '@querylane/runs/testing';
import { TRPCError } from '@trpc/server';
import { afterEach, describe, expect, it } from 'vitest';
import { RateLimitedError } from '../errors.ts';
import type { Notice } from '../services/notices.ts';
import { createTestApp } from '../test/setup.ts';
import type { Connection } from '../transport.ts';

type App = Awaited<ReturnType<typeof createTestApp>>;
let app: App;
afterEach(async () => {
  await app?.close();
});

async function caught(promise: Promise<unknown>): Promise<TRPCError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof TRPCError)) throw new Error(`expected a TRPCError, got ${String(err)}`);
  return err;
}

async function expectCode(promise: Promise<unknown>, code: TRPCError['code']) {
  expect((await caught(promise)).code).toBe(code);
}

async function drain(iterable: AsyncIterable<unknown>): Promise<RunEvent[]> {
  const events: RunEvent[] = [];
  for await (const tracked of iterable) events.push((tracked as [string, RunEvent])[1]);
  return events;
}

const HEAVY =
  'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c';

function connection(id: string, userId: string | null): Connection {
  return {
    id,
    transport: 'ws',
    ip: `10.0.0.${id.length}`,
    since: new Date(),
    socket: null,
    subscriptions: 0,
    identity: userId ? { userId, role: 'user' } : null,
  };
}

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

describe('admin', () => {
  it('reports metrics: connections, subscriptions, runs by status, events and refusals', async () => {
    const live = new Set([
      connection('c1', 'alice'),
      connection('c22', 'alice'),
      connection('c333', null),
    ]);
    app = await createTestApp({ connections: { live } });
    const root = app.callerFor('root', 'admin');
    const alice = app.callerWith({
      userId: 'alice',
      role: 'user',
      connection: [...live][0] ?? null,
    });
    const { runId } = await alice.runs.start({ query: 'SELECT 1' });
    const events = await alice.runs.events({ runId });
    const iterator = events[Symbol.asyncIterator]();
    await iterator.next();
    expect([...live][0]?.subscriptions).toBe(1);
    const during = await root.admin.metrics();
    expect(during.connections).toBe(3);
    expect(during.users).toBe(1);
    expect(during.subscriptions).toBe(1);
    await drain({ [Symbol.asyncIterator]: () => iterator });
    expect([...live][0]?.subscriptions).toBe(0);
    await expectCode(app.callerFor('bob').admin.metrics(), 'FORBIDDEN');

    const after = await root.admin.metrics();
    expect(after.subscriptions).toBe(0);
    expect(after.runs.byStatus).toEqual({
      queued: 0,
      running: 0,
      completed: 1,
      failed: 0,
      cancelled: 0,
      interrupted: 0,
    });
    expect(after.runs.queued).toBe(0);
    expect(after.runs.running).toBe(0);
    expect(after.eventsTotal).toBe((await app.stores.history.after(runId, 0, 1_000)).length);
    expect(after.refusals.forbidden).toBe(1);
    expect(after.refusals.unauthorized).toBe(0);
  });

  it('lists live connections with user, ip, since and subscriptions', async () => {
    const a = connection('c1', 'alice');
    const b = {
      ...connection('c22', 'bob'),
      since: new Date(a.since.getTime() - 1000),
      subscriptions: 2,
    };
    app = await createTestApp({ connections: { live: new Set([a, b]) } });
    expect(await app.callerFor('root', 'admin').admin.connections()).toEqual([
      {
        id: 'c22',
        transport: 'ws',
        userId: 'bob',
        role: 'user',
        ip: b.ip,
        since: b.since,
        subscriptions: 2,
        node: 'test-node',
      },
      {
        id: 'c1',
        transport: 'ws',
        userId: 'alice',
        role: 'user',
        ip: a.ip,
        since: a.since,
        subscriptions: 0,
        node: 'test-node',
      },
    ]);
  });

  it('broadcasts a notice live to every subscriber, and replays missed ones on resume', async () => {
    app = await createTestApp();
    const root = app.callerFor('root', 'admin');
    const subscribers = [app.callerFor('alice'), app.callerFor('bob')];
    const streams = await Promise.all(subscribers.map((c) => c.notices()));
    const iterators = streams.map((s) => s[Symbol.asyncIterator]());
    const firsts = iterators.map((it) => it.next());
    // The generators subscribe to the board on their first step.
    await until(() => expect(app.services.notices.listenerCount).toBe(2));
    const sent = await root.admin.broadcast({ message: '  Maintenance at 18:00  ' });
    expect(sent.delivered).toBe(2);
    for (const first of await Promise.all(firsts)) {
      const [id, notice] = first.value as [string, Notice];
      expect(id).toBe(String(sent.id));
      expect(notice).toMatchObject({ id: sent.id, message: 'Maintenance at 18:00', from: 'root' });
    }
    for (const it of iterators) await it.return?.(undefined);
    expect(app.services.notices.listenerCount).toBe(0);

    // Two more while nobody listens: a resume after the first gets both, in order.
    const second = await root.admin.broadcast({ message: 'second' });
    const third = await root.admin.broadcast({ message: 'third' });
    const resumed = (await subscribers[0]!.notices({ lastEventId: String(sent.id) }))[
      Symbol.asyncIterator
    ]();
    const got = [(await resumed.next()).value, (await resumed.next()).value] as [string, Notice][];
    expect(got.map(([id, n]) => [id, n.message])).toEqual([
      [String(second.id), 'second'],
      [String(third.id), 'third'],
    ]);
    await resumed.return?.(undefined);

    // The broadcast is an audited admin action; its id is the notice's.
    const rows = await app.stores.audit.list({ limit: 10, kind: 'admin_broadcast' });
    expect(rows.map((r) => [r.id, r.userId, r.detail])).toEqual([
      [third.id, 'root', { message: 'third' }],
      [second.id, 'root', { message: 'second' }],
      [sent.id, 'root', { message: 'Maintenance at 18:00' }],
    ]);
    await expectCode(root.admin.broadcast({ message: '   ' }), 'BAD_REQUEST');
  });

  it('pages through the audit log newest first, filtered by kind or reason', async () => {
    app = await createTestApp();
    const alice = app.callerFor('alice');
    for (let i = 0; i < 5; i++) await expectCode(alice.admin.metrics(), 'FORBIDDEN');
    const { id: conversationId } = await alice.conversations.create({});
    await alice.conversations.delete({ conversationId });
    const root = app.callerFor('root', 'admin');
    const first = await root.admin.audit({ limit: 4 });
    expect(first.items.map((r) => r.kind)).toEqual([
      'conversation_deleted',
      'refused',
      'refused',
      'refused',
    ]);
    const second = await root.admin.audit({ limit: 4, cursor: first.nextCursor });
    expect(second.items.map((r) => r.kind)).toEqual(['refused', 'refused']);
    expect(second.nextCursor).toBeNull();
    const ids = [...first.items, ...second.items].map((r) => r.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(
      (await root.admin.audit({ kind: 'conversation_deleted', limit: 10 })).items,
    ).toHaveLength(1);
    expect((await root.admin.audit({ reason: 'forbidden', limit: 10 })).items).toHaveLength(5);
    await expectCode(root.admin.audit({ limit: 1000 }), 'BAD_REQUEST');
  });
});
