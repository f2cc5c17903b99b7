// The router through createCaller over a real in-memory store and the real shop dataset.
import { join } from 'node:path';
import type { RunEvent } from '@querylane/contracts';
import { TRPCError } from '@trpc/server';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, testConfig } from '../test/setup.ts';

type App = Awaited<ReturnType<typeof createTestApp>>;
let app: App;

beforeEach(async () => {
  app = await createTestApp({ concurrency: 2 });
});
afterEach(async () => {
  await app.close();
});

async function collect(runId: string, lastEventId?: string): Promise<RunEvent[]> {
  const events: RunEvent[] = [];
  const iterable = await app.caller.runs.events({ runId, lastEventId: lastEventId ?? null });
  for await (const tracked of iterable) {
    const [, event] = tracked as unknown as [string, RunEvent];
    events.push(event);
  }
  return events;
}

async function expectCode(promise: Promise<unknown>, code: TRPCError['code']) {
  await expect(promise).rejects.toSatisfy(
    (err: unknown) => err instanceof TRPCError && err.code === code,
  );
}

const HEAVY =
  'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c';

describe('runs', () => {
  it('runs a query to completion with contiguous, ordered events and the right rows', async () => {
    const sql =
      'SELECT category, count(*) AS n, round(avg(price), 2) AS avg_price FROM products GROUP BY category ORDER BY category';
    const { runId, conversationId } = await app.caller.runs.start({ query: sql });
    const events = await collect(runId);

    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events[0]?.type).toBe('started');
    const terminal = events.filter((e) => ['completed', 'failed', 'cancelled'].includes(e.type));
    expect(terminal).toHaveLength(1);
    expect(events.at(-1)?.type).toBe('completed');
    const stages = events.flatMap((e) => (e.type === 'stage' ? [e] : []));
    expect([...new Set(stages.map((s) => s.stage))]).toEqual([
      'plan',
      'validate',
      'execute',
      'interpret',
      'finalize',
    ]);
    const progress = stages.map((s) => s.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(events.some((e) => e.type === 'plan')).toBe(true);

    const direct = new Database(join(app.dataDir, 'shop.db'), { readonly: true });
    const expected = direct.prepare(sql).raw(true).all();
    direct.close();

    const run = await app.caller.runs.byId({ runId });
    expect(run.status).toBe('completed');
    expect(run.progress).toBe(100);
    expect(run.lastSeq).toBe(events.length);
    expect(run.result?.rows).toEqual(expected);
    expect(run.result?.rowCount).toBe(expected.length);
    expect(run.result?.truncated).toBe(false);
    expect(run.result?.columns.map((c) => c.name)).toEqual(['category', 'n', 'avg_price']);
    expect(run.result?.summary.length).toBeGreaterThan(0);
    expect(run.conversationId).toBe(conversationId);

    // A finished run replays in full, and resumes after any lastEventId.
    expect(await collect(runId)).toEqual(events);
    expect(await collect(runId, '3')).toEqual(events.slice(3));
    expect(await collect(runId, String(events.length))).toEqual([]);
  });

  it('keeps at most maxRows rows and counts them all', async () => {
    await app.close();
    app = await createTestApp({ limits: { ...testConfig.limits, maxRows: 25 } });
    const { runId } = await app.caller.runs.start({ query: 'SELECT id FROM order_items' });
    const events = await collect(runId);
    const done = events.at(-1);
    expect(done?.type).toBe('completed');
    if (done?.type !== 'completed') return;
    expect(done.result.rows).toHaveLength(25);
    expect(done.result.truncated).toBe(true);
    const direct = new Database(join(app.dataDir, 'shop.db'), { readonly: true });
    const { n } = direct.prepare('SELECT count(*) AS n FROM order_items').get() as { n: number };
    direct.close();
    expect(done.result.rowCount).toBe(n);
    const fetched = events.flatMap((e) => (e.type === 'rows' ? [e.fetched] : []));
    expect(fetched.at(-1)).toBe(n);
  });

  it('ends a write with failed SQL_NOT_READ_ONLY and tells the conversation why', async () => {
    const { runId, conversationId } = await app.caller.runs.start({
      query: 'DELETE FROM products',
    });
    const events = await collect(runId);
    const last = events.at(-1);
    expect(last?.type).toBe('failed');
    if (last?.type === 'failed') expect(last.error.code).toBe('SQL_NOT_READ_ONLY');
    const run = await app.caller.runs.byId({ runId });
    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('SQL_NOT_READ_ONLY');
    const convo = await app.caller.conversations.byId({ conversationId });
    expect(convo.messages.map((m) => [m.role, m.runId])).toEqual([
      ['user', runId],
      ['assistant', runId],
    ]);
  });

  it('cancels a running query once, and refuses to cancel it again', async () => {
    const { runId } = await app.caller.runs.start({ query: HEAVY });
    const iterable = await app.caller.runs.events({ runId, lastEventId: null });
    const events: RunEvent[] = [];
    let cancelled: Promise<unknown> | undefined;
    for await (const tracked of iterable) {
      const [, event] = tracked as unknown as [string, RunEvent];
      events.push(event);
      if (event.type === 'stage' && event.stage === 'execute' && !cancelled) {
        cancelled = app.caller.runs.cancel({ runId });
      }
    }
    expect(await cancelled).toEqual({ runId, status: 'cancelled' });
    expect(events.at(-1)?.type).toBe('cancelled');
    expect(events.filter((e) => e.type === 'cancelled')).toHaveLength(1);
    await expectCode(app.caller.runs.cancel({ runId }), 'CONFLICT');
    const run = await app.caller.runs.byId({ runId });
    expect(run.status).toBe('cancelled');
    expect(run.lastSeq).toBe(events.length);
  });

  it('pages runs newest first', async () => {
    const ids: string[] = [];
    for (const n of [1, 2, 3]) {
      const { runId } = await app.caller.runs.start({ query: `SELECT ${n}` });
      await collect(runId);
      ids.push(runId);
    }
    const first = await app.caller.runs.list({ limit: 2 });
    expect(first.items.map((r) => r.id)).toEqual([ids[2], ids[1]]);
    expect(first.nextCursor).not.toBeNull();
    const second = await app.caller.runs.list({ limit: 2, cursor: first.nextCursor });
    expect(second.items.map((r) => r.id)).toEqual([ids[0]]);
    expect(second.nextCursor).toBeNull();
  });

  it('answers unknown ids with NOT_FOUND and bad input with BAD_REQUEST', async () => {
    await expectCode(app.caller.runs.byId({ runId: 'nope' }), 'NOT_FOUND');
    await expectCode(app.caller.runs.cancel({ runId: 'nope' }), 'NOT_FOUND');
    await expectCode(app.caller.runs.events({ runId: 'nope' }), 'NOT_FOUND');
    await expectCode(
      app.caller.runs.start({ query: 'SELECT 1', conversationId: 'nope' }),
      'NOT_FOUND',
    );
    await expectCode(app.caller.runs.start({ query: 'SELECT 1', datasetId: 'nope' }), 'NOT_FOUND');
    await expectCode(app.caller.conversations.byId({ conversationId: 'nope' }), 'NOT_FOUND');
    await expectCode(app.caller.runs.start({ query: '' }), 'BAD_REQUEST');
    await expectCode(app.caller.runs.start({ query: '   ' }), 'BAD_REQUEST');
    await expectCode(app.caller.runs.start({ query: 'x'.repeat(100_001) }), 'BAD_REQUEST');
    await expectCode(app.caller.runs.byId({ runId: '../etc' }), 'BAD_REQUEST');
    await expectCode(app.caller.runs.list({ limit: 1000 }), 'BAD_REQUEST');
  });

  it("hides one user's runs and conversations from another", async () => {
    const { runId, conversationId } = await app.caller.runs.start({ query: 'SELECT 1' });
    await collect(runId);
    const bob = app.callerFor('bob');
    await expectCode(bob.runs.byId({ runId }), 'NOT_FOUND');
    await expectCode(bob.runs.events({ runId }), 'NOT_FOUND');
    await expectCode(bob.conversations.byId({ conversationId }), 'NOT_FOUND');
    await expectCode(bob.runs.start({ query: 'SELECT 1', conversationId }), 'NOT_FOUND');
    expect(await bob.conversations.list()).toEqual({ items: [], nextCursor: null });
    expect((await bob.runs.list()).items).toEqual([]);
  });

  it('marks runs a crash left running as interrupted, with one terminal event', async () => {
    const { runs } = app.services;
    await app.stores.runs.start({
      conversation: { id: 'c1', userId: 'local', title: 'crashed' },
      run: {
        id: 'r1',
        userId: 'local',
        conversationId: 'c1',
        datasetId: 'shop',
        kind: 'sql',
        query: 'SELECT 1',
      },
      message: {
        id: 'm1',
        conversationId: 'c1',
        userId: 'local',
        role: 'user',
        content: 'SELECT 1',
        runId: 'r1',
      },
      events: [],
    });
    await app.stores.runs.patch('r1', { status: 'running' });
    expect(await runs.recover()).toEqual({ interrupted: 1, requeued: 0 });
    const events = await collect('r1');
    expect(events.map((e) => [e.seq, e.type])).toEqual([[1, 'failed']]);
    const run = await app.caller.runs.byId({ runId: 'r1' });
    expect(run.status).toBe('interrupted');
    expect(run.error?.code).toBe('INTERRUPTED');
    expect(await runs.recover()).toEqual({ interrupted: 0, requeued: 0 });
  });
});

describe('conversations', () => {
  it('creates, titles, lists, renames and deletes with everything in it', async () => {
    const { runId, conversationId } = await app.caller.runs.start({
      query: '-- top products\nSELECT name FROM products LIMIT 3',
    });
    await collect(runId);
    const second = await app.caller.runs.start({ query: 'SELECT 2', conversationId });
    await collect(second.runId);

    const convo = await app.caller.conversations.byId({ conversationId });
    expect(convo.title).toBe('SELECT name FROM products LIMIT 3');
    expect(convo.messages.map((m) => [m.role, m.runId])).toEqual([
      ['user', runId],
      ['assistant', runId],
      ['user', second.runId],
      ['assistant', second.runId],
    ]);
    expect(convo.messages[0]?.content).toBe('-- top products\nSELECT name FROM products LIMIT 3');

    const empty = await app.caller.conversations.create({ title: 'Empty one' });
    const listed = await app.caller.conversations.list();
    expect(listed.items.map((c) => c.id)).toEqual([empty.id, conversationId]);
    expect(listed.nextCursor).toBeNull();

    const renamed = await app.caller.conversations.rename({ conversationId, title: '  Sales  ' });
    expect(renamed.title).toBe('Sales');
    expect((await app.caller.conversations.list()).items[0]?.id).toBe(conversationId);

    expect(await app.caller.conversations.delete({ conversationId })).toEqual({
      conversationId,
      deleted: true,
    });
    await expectCode(app.caller.conversations.byId({ conversationId }), 'NOT_FOUND');
    await expectCode(app.caller.runs.byId({ runId }), 'NOT_FOUND');
    expect(await app.stores.history.after(runId, 0, 10)).toEqual([]);
    await expectCode(app.caller.conversations.delete({ conversationId }), 'NOT_FOUND');
  });

  it('deleting a conversation ends its running run first', async () => {
    const { runId, conversationId } = await app.caller.runs.start({ query: HEAVY });
    const iterable = await app.caller.runs.events({ runId, lastEventId: null });
    const seen: string[] = [];
    for await (const tracked of iterable) {
      const [, event] = tracked as unknown as [string, RunEvent];
      seen.push(event.type);
      if (event.type === 'stage' && event.stage === 'execute' && seen.length < 100) {
        await app.caller.conversations.delete({ conversationId });
      }
    }
    expect(seen.at(-1)).toBe('cancelled');
    expect(await app.services.runs.stats()).toEqual({ queued: 0, running: 0 });
  });
});

describe('datasets and health', () => {
  it('lists the shop dataset with its tables and schema', async () => {
    const list = await app.caller.datasets.list();
    expect(list[0]?.id).toBe('shop');
    expect(list[0]?.tables).toEqual(
      expect.arrayContaining(['customers', 'products', 'orders', 'order_items', 'posts']),
    );
    const schema = await app.caller.datasets.schema({ datasetId: 'shop' });
    const items = schema.tables.find((t) => t.name === 'order_items');
    expect(items?.rowCount).toBeGreaterThanOrEqual(200_000);
    expect(items?.columns.map((c) => c.name)).toEqual(
      expect.arrayContaining(['order_id', 'product_id', 'quantity']),
    );
    await expectCode(app.caller.datasets.schema({ datasetId: 'nope' }), 'NOT_FOUND');
  });

  it('reports health', async () => {
    const health = await app.caller.health();
    expect(health.ok).toBe(true);
    expect(typeof health.version).toBe('string');
    expect(health.uptimeMs).toBeGreaterThanOrEqual(0);
  });
});
