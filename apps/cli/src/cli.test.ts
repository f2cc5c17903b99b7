// Runs the `querylane` bin as a child process (node + tsx, as `npx querylane` does) against the
// real server on an ephemeral port, and checks what a person or a script would see.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createQuerylaneClient, type QuerylaneClient, type RunEvent } from '@querylane/client';
import { removeDir, startTestServer } from '@querylane/server/test-harness';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';

const bin = fileURLToPath(new URL('../bin/querylane.js', import.meta.url));

const CATEGORIES =
  'SELECT category, count(*) AS n FROM products GROUP BY category ORDER BY category';
const ENDLESS =
  'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c';

let server: Awaited<ReturnType<typeof startTestServer>>;
let client: QuerylaneClient;
beforeAll(async () => {
  // The statement timeout is raised so only Ctrl+C can end the endless query.
  server = await startTestServer({ queryTimeoutMs: 120_000 });
  client = createQuerylaneClient({ url: server.url, WebSocket });
});
afterAll(async () => {
  await client?.close();
  await server?.close();
  if (server) removeDir(server.dataDir);
});

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(args: string[], url = server.url): { child: ChildProcess; done: Promise<Outcome> } {
  const { QUERYLANE_TOKEN: _token, QUERYLANE_DEBUG: _debug, ...inherited } = process.env;
  const child = spawn(process.execPath, [bin, ...args], {
    env: { ...inherited, QUERYLANE_URL: url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const done = new Promise<Outcome>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, done };
}

const cli = (...args: string[]) => start(args).done;

function tableLines(stdout: string): string[] {
  return stdout.split('\n').filter((l) => l !== '' && !l.startsWith('('));
}

async function latestRun() {
  const [latest] = (await client.trpc.runs.list.query({ limit: 1 })).items;
  if (!latest) throw new Error('no run stored');
  return client.trpc.runs.byId.query({ runId: latest.id });
}

describe('querylane run', () => {
  it('prints the result as an aligned table with the right rows', async () => {
    const out = await cli('run', CATEGORIES);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);

    const shop = new Database(join(server.dataDir, 'shop.db'), { readonly: true });
    const expected = shop.prepare(CATEGORIES).raw(true).all() as [string, number][];
    shop.close();
    const lines = tableLines(out.stdout);
    expect(lines[0]).toMatch(/^category\s+n$/);
    expect(lines[1]).toMatch(/^-+ {2}-+$/);
    expect(lines.slice(2).map((l) => l.split(/\s{2,}/))).toEqual(
      expected.map(([category, n]) => [category, String(n)]),
    );
    // The count column is right-aligned, so every line of the table ends at the same place.
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
    expect(out.stdout.trimEnd().split('\n').at(-1)).toBe(`(${expected.length} rows)`);
  });

  it('prints JSON equal to the stored result with --json', async () => {
    const out = await cli('run', CATEGORIES, '--json', '--dataset', 'shop');
    expect(out.code).toBe(0);
    const printed = JSON.parse(out.stdout) as unknown;
    const stored = await latestRun();
    expect(stored.query).toBe(CATEGORIES);
    expect(printed).toEqual(stored.result);
  });

  it('exits non-zero with the run code when the query fails', async () => {
    const out = await cli('run', 'SELECT * FROM nope');
    expect(out.code).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(/^querylane: SQL_SYNTAX: no such table: nope\n/);
    expect(out.stderr).toMatch(/hint: Available tables: .*products/);
    expect((await latestRun()).status).toBe('failed');
  });

  it('says briefly that the server cannot be reached, without a stack trace', async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));

    const url = `http://127.0.0.1:${port}`;
    const out = await start(['run', 'SELECT 1'], url).done;
    expect(out.code).toBe(3);
    expect(out.stdout).toBe('');
    expect(out.stderr).toBe(
      `querylane: cannot reach the Querylane server at ${url} (ECONNREFUSED).\n` +
        '  Is it running? Start it with `npm start`, or point --url / QUERYLANE_URL at it.\n',
    );
  });

  it('cancels the run on the server on Ctrl+C', async () => {
    const before = (await server.services.runs.stats()).running;
    const { child, done } = start(['run', ENDLESS]);
    await vi.waitFor(
      async () => expect((await server.services.runs.stats()).running).toBe(before + 1),
      {
        timeout: 30_000,
        interval: 50,
      },
    );
    const run = await latestRun();
    expect(run.query).toBe(ENDLESS);
    await vi.waitFor(async () =>
      expect((await client.trpc.runs.byId.query({ runId: run.id })).stage).toBe('execute'),
    );
    child.kill('SIGINT');
    const out = await done;

    expect(out.code).toBe(130);
    expect(out.stderr).toContain(`querylane: cancelled (run ${run.id})`);
    expect((await client.trpc.runs.byId.query({ runId: run.id })).status).toBe('cancelled');
  });

  it('explains bad usage with exit code 2', async () => {
    const out = await cli('run');
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/^querylane: run takes exactly one argument/);
    expect(out.stderr).toContain('Usage: querylane <command>');
  });
});

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
    const { items } = await client.trpc.runs.list.query({ limit: 3 });
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
    const result = await client.run(CATEGORIES, { onEvent: (e) => seen.push(e) });
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
    const { runId } = await client.trpc.runs.start.mutate({ query: ENDLESS });
    const { done } = start(['watch', runId]);
    // The CLI's subscription is live while the run still runs; then the run is ended from here.
    await vi.waitFor(() => expect(server.services.events.listenerCount(runId)).toBe(1), {
      timeout: 30_000,
      interval: 50,
    });
    expect((await server.stores.runs.get(runId))?.status).toBe('running');
    await client.trpc.runs.cancel.mutate({ runId });
    const out = await done;

    const stored = await server.stores.history.after(runId, 0, 1000);
    const eventLines = out.stdout.split('\n').filter((l) => l.startsWith('#'));
    expect(eventLines.map((l) => l.split(/\s+/)[0])).toEqual(stored.map((e) => `#${e.seq}`));
    expect(eventLines.at(-1)).toMatch(/cancelled {2}Cancelled by the user$/);
    expect(out.code).toBe(1);
    expect(out.stderr).toBe(`querylane: cancelled (run ${runId})\n`);
  });

  it('exits with the code of a failed run it replays, and NOT_FOUND for an unknown one', async () => {
    const failed = await client.run('SELECT nope FROM products').catch((e: unknown) => e);
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
