// The real server on port 0, the real @trpc/client over a real WebSocket.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppRouter, RunEventOutput } from '@querylane/api';
import { openSqliteStores } from '@querylane/db';
import { TRPCClientError } from '@trpc/client';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createTestClient, removeDir, SLOW, startTestServer, subscribeAll } from './harness.ts';
import { onCleanup, testClient, testServer, until } from './scope.ts';

type RunEvent = RunEventOutput;

async function setup(overrides: Parameters<typeof testServer>[0] = {}) {
  const server = await testServer(overrides);
  return { server, ...testClient(server.url) };
}

describe('server over HTTP and WebSocket', () => {
  it('streams a run in order, with one terminal event, and rows equal to direct SQLite', async () => {
    const { server, trpc } = await setup();
    const sql = `SELECT p.category, count(*) AS items, round(sum(oi.quantity * oi.unit_price), 2) AS revenue
FROM order_items oi JOIN products p ON p.id = oi.product_id
GROUP BY p.category ORDER BY revenue DESC`;
    const { runId } = await trpc.runs.start.mutate({ query: sql });
    const events = await subscribeAll(trpc, runId);

    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events[0]?.type).toBe('started');
    expect(events.filter((e) => e.type === 'completed')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'failed' || e.type === 'cancelled')).toHaveLength(0);
    const last = events.at(-1);
    expect(last?.type).toBe('completed');
    expect(events.every((e) => e.at instanceof Date && e.runId === runId)).toBe(true);

    const direct = new Database(join(server.dataDir, 'shop.db'), { readonly: true });
    const expected = direct.prepare(sql).raw(true).all();
    direct.close();
    if (last?.type !== 'completed') throw new Error('not completed');
    expect(last.result.rows).toEqual(expected);
    expect(last.result.rowCount).toBe(expected.length);
    expect(last.result.chart).toEqual({ kind: 'bar', x: 'category', y: 'items' });

    const run = await trpc.runs.byId.query({ runId });
    expect(run.status).toBe('completed');
    expect(run.result?.rows).toEqual(expected);
  });

  it('resumes after lastEventId mid-run with the rest exactly once', async () => {
    const { trpc } = await setup();
    const { runId } = await trpc.runs.start.mutate({ query: SLOW });
    const head: RunEvent[] = [];
    await new Promise<void>((resolve, reject) => {
      const sub = trpc.runs.events.subscribe(
        { runId, lastEventId: null },
        {
          onData({ data }) {
            head.push(data);
            if (data.type === 'stage' && data.stage === 'execute') {
              sub.unsubscribe();
              resolve();
            }
          },
          onError: reject,
        },
      );
    });
    const statusAtCut = (await trpc.runs.byId.query({ runId })).status;
    const cut = head.at(-1)?.seq ?? 0;
    const tail = await subscribeAll(trpc, runId, { lastEventId: String(cut) });
    const replay = await subscribeAll(trpc, runId);

    expect(statusAtCut).toBe('running');
    expect(tail[0]?.seq).toBe(cut + 1);
    expect([...head, ...tail]).toEqual(replay);
    expect(replay.map((e) => e.seq)).toEqual(replay.map((_, i) => i + 1));
    expect(replay.at(-1)?.type).toBe('completed');
  });

  it("resumes by itself when the server drops the client's socket mid-run", async () => {
    const { server, trpc } = await setup();
    const { runId } = await trpc.runs.start.mutate({ query: SLOW });
    let dropped = 0;
    const events = await subscribeAll(trpc, runId, {
      onEvent(e) {
        // Drop the socket right after the plan and again in the middle of execution.
        if (
          (e.type === 'plan' && dropped === 0) ||
          (e.type === 'stage' && e.stage === 'execute' && dropped === 1)
        ) {
          dropped += 1;
          for (const socket of server.wss.clients) socket.terminate();
        }
      },
    });
    const replay = await subscribeAll(trpc, runId);
    expect(dropped).toBe(2);
    expect(events.map((e) => e.seq)).toEqual(replay.map((_, i) => i + 1));
    expect(events).toEqual(replay);
    expect(events.at(-1)?.type).toBe('completed');
  });

  it('rejects bad input with BAD_REQUEST and flattened zod issues', async () => {
    const { trpc } = await setup();
    const err = await trpc.runs.start.mutate({ query: '' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TRPCClientError);
    const { data } = err as TRPCClientError<AppRouter>;
    expect(data?.code).toBe('BAD_REQUEST');
    expect(data?.zodError?.fieldErrors).toEqual({ query: ['The query is empty'] });
    const missing = await trpc.runs.byId.query({ runId: 'missing' }).catch((e: unknown) => e);
    expect((missing as TRPCClientError<AppRouter>).data?.code).toBe('NOT_FOUND');
  });

  it('answers GET /trpc/health and survives a malformed frame', async () => {
    const { server, trpc } = await setup();
    const res = await fetch(`${server.url}/trpc/health`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { result: { data: { json: { ok: boolean } } } };
    expect(body.result.data.json.ok).toBe(true);

    const raw = new WebSocket(`${server.url.replace('http', 'ws')}/trpc`);
    await new Promise((ok) => raw.once('open', ok));
    const reply = new Promise<string>((ok) => raw.once('message', (m) => ok(String(m))));
    raw.send('{ not json');
    expect(JSON.parse(await reply)).toMatchObject({
      id: null,
      error: { json: { data: { code: 'PARSE_ERROR', httpStatus: 400 } } },
    });
    raw.close();

    const { runId } = await trpc.runs.start.mutate({ query: 'SELECT 1 AS one' });
    const events = await subscribeAll(trpc, runId);
    expect(events.at(-1)?.type).toBe('completed');
  });

  it('serves a dataset registered by the user beside shop, read-only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'querylane-user-db-'));
    onCleanup(() => removeDir(dir));
    const file = join(dir, 'sales.db');
    const db = new Database(file);
    db.exec(`CREATE TABLE sales (region TEXT, amount REAL);
      INSERT INTO sales VALUES ('north', 10.5), ('south', 4), ('north', 1.5);`);
    db.close();
    const { trpc } = await setup({ datasets: [{ id: 'sales', path: file }] });

    const list = await trpc.datasets.list.query();
    expect(list.map((d) => [d.id, d.kind, d.tables])).toEqual([
      ['shop', 'demo', ['customers', 'order_items', 'orders', 'posts', 'products']],
      ['sales', 'user', ['sales']],
    ]);
    const schema = await trpc.datasets.schema.query({ datasetId: 'sales' });
    expect(schema.tables).toEqual([
      {
        name: 'sales',
        rowCount: 3,
        columns: [
          { name: 'region', type: 'TEXT' },
          { name: 'amount', type: 'REAL' },
        ],
      },
    ]);
    const sql = 'SELECT region, sum(amount) AS total FROM sales GROUP BY region ORDER BY region';
    const ok = await trpc.runs.start.mutate({ query: sql, datasetId: 'sales' });
    const done = (await subscribeAll(trpc, ok.runId)).at(-1);
    expect(done?.type === 'completed' && done.result.rows).toEqual([
      ['north', 12],
      ['south', 4],
    ]);
    const write = await trpc.runs.start.mutate({ query: 'DELETE FROM sales', datasetId: 'sales' });
    const refused = (await subscribeAll(trpc, write.runId)).at(-1);
    expect(refused?.type === 'failed' && refused.error.code).toBe('SQL_NOT_READ_ONLY');
  });

  it('serves the SPA with an index.html fallback and never outside its folder', async () => {
    const webDist = mkdtempSync(join(tmpdir(), 'querylane-web-'));
    mkdirSync(join(webDist, 'assets'));
    writeFileSync(join(webDist, 'index.html'), '<!doctype html><title>Querylane</title>');
    writeFileSync(join(webDist, 'assets', 'app-1234.js'), 'console.log(1)');
    onCleanup(() => removeDir(webDist));
    const { server } = await setup({ webDist });
    const get = (path: string) => fetch(`${server.url}${path}`);
    const root = await get('/');
    expect(root.headers.get('content-type')).toContain('text/html');
    expect(await root.text()).toContain('<title>Querylane</title>');
    expect(await (await get('/c/some-conversation')).text()).toContain('<title>Querylane</title>');
    const asset = await get('/assets/app-1234.js');
    expect(asset.headers.get('content-type')).toContain('text/javascript');
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect(await (await get('/%2e%2e/%2e%2e/etc/passwd')).text()).toContain('<title>');
  });

  it('ends running runs interrupted on shutdown and keeps them after a restart', async () => {
    const first = await startTestServer();
    onCleanup(() => removeDir(first.dataDir));
    const client = createTestClient(first.url);
    const { runId } = await client.trpc.runs.start.mutate({ query: SLOW });
    await new Promise<void>((resolve, reject) => {
      const sub = client.trpc.runs.events.subscribe(
        { runId },
        {
          onData({ data }) {
            if (data.type === 'stage' && data.stage === 'execute') {
              sub.unsubscribe();
              resolve();
            }
          },
          onError: reject,
        },
      );
    });
    client.close();
    await first.close();

    const stores = openSqliteStores(join(first.dataDir, 'querylane.db'));
    const stored = await stores.runs.get(runId);
    await stores.close();
    expect(stored?.status).toBe('interrupted');

    const { trpc } = await setup({ dataDir: first.dataDir });
    const events = await subscribeAll(trpc, runId);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const last = events.at(-1);
    expect(last?.type).toBe('failed');
    if (last?.type === 'failed') expect(last.error.code).toBe('INTERRUPTED');
    expect((await trpc.runs.byId.query({ runId })).status).toBe('interrupted');

    const again = await trpc.runs.start.mutate({ query: 'SELECT 42 AS answer' });
    const done = (await subscribeAll(trpc, again.runId)).at(-1);
    expect(done?.type === 'completed' && done.result.rows).toEqual([[42]]);
    await until(() => expect(first.wss.clients.size).toBe(0));
  });
});
