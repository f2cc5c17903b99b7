// What a person does with their history through the router: page and search conversations, pin
// them, and keep a chart choice with a run. Real in-memory store, real migrations.
import { TRPCError } from '@trpc/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp } from '../test/setup.ts';

type App = Awaited<ReturnType<typeof createTestApp>>;
let app: App;

beforeEach(async () => {
  app = await createTestApp();
});
afterEach(async () => {
  await app.close();
});

async function expectCode(promise: Promise<unknown>, code: TRPCError['code']) {
  await expect(promise).rejects.toSatisfy(
    (err: unknown) => err instanceof TRPCError && err.code === code,
  );
}

describe('conversations.list', () => {
  it('pages past any count with its cursor, pinned first, and searches titles', async () => {
    const ids: string[] = [];
    for (let i = 1; i <= 12; i++) {
      ids.push((await app.caller.conversations.create({ title: `Report ${i}` })).id);
    }
    const pinned = await app.caller.conversations.pin({ conversationId: ids[3]! });
    expect(pinned.pinned).toBe(true);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } =
        await app.caller.conversations.list({ limit: 5, cursor });
      seen.push(...page.items.map((c) => c.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([ids[3], ...[...ids].reverse().filter((id) => id !== ids[3])]);

    const found = await app.caller.conversations.list({ search: '  report 1' });
    expect(found.items.map((c) => c.title)).toEqual([
      'Report 12',
      'Report 11',
      'Report 10',
      'Report 1',
    ]);

    expect((await app.caller.conversations.unpin({ conversationId: ids[3]! })).pinned).toBe(false);
    expect((await app.caller.conversations.list({ limit: 1 })).items[0]?.id).toBe(ids[11]);
  });

  it('finds a conversation by what was asked in it', async () => {
    const { conversationId, runId } = await app.caller.runs.start({
      query: 'SELECT channel FROM orders LIMIT 1',
    });
    await app.caller.conversations.create({ title: 'Something else' });
    for await (const _ of await app.caller.runs.events({ runId })) {
      // drained to the end
    }
    const found = await app.caller.conversations.list({ search: 'CHANNEL' });
    expect(found.items.map((c) => c.id)).toEqual([conversationId]);
  });

  it('refuses a made-up cursor and a search that is too long, and pins only what is yours', async () => {
    await expectCode(app.caller.conversations.list({ cursor: 'DROP TABLE' }), 'BAD_REQUEST');
    await expectCode(app.caller.conversations.list({ search: 'x'.repeat(201) }), 'BAD_REQUEST');
    const mine = await app.caller.conversations.create({ title: 'Mine' });
    const bob = app.callerFor('bob');
    await expectCode(bob.conversations.pin({ conversationId: mine.id }), 'NOT_FOUND');
    expect((await bob.conversations.list()).items).toEqual([]);
  });
});

describe('runs.setChart', () => {
  it('keeps the chosen chart with the run, for its owner, and goes back to none', async () => {
    const { runId } = await app.caller.runs.start({
      query: 'SELECT category, count(*) AS n FROM products GROUP BY category',
    });
    expect((await app.caller.runs.byId({ runId })).chart).toBeNull();
    const chart = { type: 'area' as const, x: 'category', y: ['n'], series: null };
    expect(await app.caller.runs.setChart({ runId, chart })).toEqual({ runId, chart });
    expect((await app.caller.runs.byId({ runId })).chart).toEqual(chart);

    await expectCode(app.callerFor('bob').runs.setChart({ runId, chart: null }), 'NOT_FOUND');
    await expectCode(
      app.caller.runs.setChart({
        runId,
        chart: { type: 'pie' as 'bar', x: 'category', y: ['n'], series: null },
      }),
      'BAD_REQUEST',
    );
    await expectCode(
      app.caller.runs.setChart({
        runId,
        chart: { type: 'bar', x: 'category', y: [], series: null },
      }),
      'BAD_REQUEST',
    );
    expect((await app.caller.runs.byId({ runId })).chart).toEqual(chart);
    expect(await app.caller.runs.setChart({ runId, chart: null })).toEqual({ runId, chart: null });
  });
});
