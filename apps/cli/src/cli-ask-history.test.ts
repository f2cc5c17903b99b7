// The compiled `querylane` bin against the real server: `ask`, then the commands that read what
// is there (`datasets`, `history`, `watch`); history lists the runs the ask tests leave behind.
import type { RunEvent } from '@querylane/client';
import { describe, expect, it, vi } from 'vitest';
import { CATEGORIES, ENDLESS, tableLines, useCliServer } from './test/cli.ts';

const suite = useCliServer();
const { start, cli } = suite;

describe('querylane ask', () => {
  it('prints the answer, how the question was read, its SQL and the table', async () => {
    const out = await cli('ask', 'How many customers are there?', '--sql');
    expect(out.code).toBe(0);
    expect(out.stdout.split('\n')).toEqual([
      'Count of customers: **12,000**.',
      '',
      'Read as: count of customers',
      'SQL: SELECT count(*) AS customer_count FROM customers c',
      '',
      'customer_count',
      '--------------',
      '         12000',
      '(1 row)',
      '',
    ]);
  });

  it('prints the whole result as JSON with --json', async () => {
    const out = await cli('ask', 'Orders by status', '--json');
    expect(out.code).toBe(0);
    const result = JSON.parse(out.stdout) as {
      reading: string;
      generator: string;
      rows: unknown[][];
    };
    expect(result).toMatchObject({ reading: 'count of orders by status', generator: 'offline' });
    expect(result.rows.map((r) => r[0]).sort()).toEqual([
      'cancelled',
      'delivered',
      'processing',
      'returned',
      'shipped',
    ]);
  });

  it('exits 1 with the refusal, what it understood and questions that would work', async () => {
    const out = await cli('ask', 'What is the weather in Paris?');
    expect(out.code).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain('NOT_UNDERSTOOD');
    expect(out.stderr).toContain('I did not understand "weather".');
    expect(out.stderr).toMatch(/Try for example: "[^"]+"/);
  });
});

describe('querylane datasets, history and watch', () => {
  it('lists the datasets', async () => {
    const out = await cli('datasets');
    expect(out.code).toBe(0);
    const [header, , shop] = tableLines(out.stdout);
    expect(header?.split(/\s{2,}/)).toEqual(['id', 'name', 'kind', 'tables']);
    expect(shop?.split(/\s{2,}/)).toEqual([
      'shop',
      'Shop (demo)',
      'demo',
      'customers, order_items, orders, posts, products',
    ]);
  });

  it('lists the latest runs, newest first', async () => {
    const { items } = await suite.client.trpc.runs.list.query({ limit: 3 });
    const out = await cli('history', '--limit', '3');
    expect(out.code).toBe(0);
    const rows = tableLines(out.stdout)
      .slice(2)
      .map((l) => l.split(/\s{2,}/));
    expect(rows.map((r) => [r[1], r[2], r[3]])).toEqual(
      items.map((r) => [r.status, r.datasetId, r.id]),
    );
    expect(rows).toHaveLength(3);

    const json = JSON.parse((await cli('history', '--json', '-n', '3')).stdout) as { id: string }[];
    expect(json.map((r) => r.id)).toEqual(items.map((r) => r.id));
  });

  it('replays a finished run event by event, then its table', async () => {
    const seen: RunEvent[] = [];
    const result = await suite.client.run(CATEGORIES, { onEvent: (e) => seen.push(e) });
    const runId = seen[0]?.runId ?? '';

    const out = await cli('watch', runId);
    expect(out.code).toBe(0);
    const eventLines = out.stdout.split('\n').filter((l) => l.startsWith('#'));
    expect(eventLines.map((l) => l.split(/\s+/)[0])).toEqual(seen.map((e) => `#${e.seq}`));
    expect(eventLines.map((l) => l.split(/\s+/)[2])).toEqual(seen.map((e) => e.type));
    const table = tableLines(out.stdout).filter((l) => !l.startsWith('#'));
    expect(table[0]).toMatch(/^category\s+n$/);
    expect(table.slice(2).map((l) => l.split(/\s{2,}/))).toEqual(
      result.rows.map((r) => r.map(String)),
    );
    expect(out.stdout.trimEnd().split('\n').at(-1)).toMatch(/^\(\d+ rows\)$/);

    const ndjson = (await cli('watch', runId, '--json')).stdout.trimEnd().split('\n');
    expect(ndjson.map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual(
      seen.map((e) => e.seq),
    );
  });

  it('reattaches to a running run and follows it live to its end', async () => {
    const { runId } = await suite.client.trpc.runs.start.mutate({ query: ENDLESS });
    const { done } = start(['watch', runId]);
    // The CLI's subscription is live while the run still runs; then the run is ended from here.
    await vi.waitFor(() => expect(suite.server.services.events.listenerCount(runId)).toBe(1), {
      timeout: 30_000,
      interval: 50,
    });
    expect((await suite.server.stores.runs.get(runId))?.status).toBe('running');
    await suite.client.trpc.runs.cancel.mutate({ runId });
    const out = await done;

    const stored = await suite.server.stores.history.after(runId, 0, 1000);
    const eventLines = out.stdout.split('\n').filter((l) => l.startsWith('#'));
    expect(eventLines.map((l) => l.split(/\s+/)[0])).toEqual(stored.map((e) => `#${e.seq}`));
    expect(eventLines.at(-1)).toMatch(/cancelled {2}Cancelled by the user$/);
    expect(out.code).toBe(1);
    expect(out.stderr).toBe(`querylane: cancelled (run ${runId})\n`);
  });

  it('exits with the code of a failed run it replays, and NOT_FOUND for an unknown one', async () => {
    const failed = await suite.client.run('SELECT nope FROM products').catch((e: unknown) => e);
    const runId = (failed as { runId: string }).runId;
    const out = await cli('watch', runId);
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/failed {5}SQL_SYNTAX: no such column: nope/);
    expect(out.stderr).toMatch(/^querylane: SQL_SYNTAX: no such column: nope/);

    const unknown = await cli('watch', 'no-such-run');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^querylane: NOT_FOUND: /);
  });
});
