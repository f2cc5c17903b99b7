// What admins see and do, through createCaller over a real in-memory store: metrics, live
// connections, notices broadcast and replayed, and the audit log paged and filtered.
import { until } from '@querylane/runs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import type { Notice } from '../services/notices.ts';
import { connection, drain, expectCode } from '../test/calls.ts';
import { createTestApp } from '../test/setup.ts';

type App = Awaited<ReturnType<typeof createTestApp>>;
let app: App;
afterEach(async () => {
  await app?.close();
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
