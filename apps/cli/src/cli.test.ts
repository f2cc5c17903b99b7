// Runs the compiled `querylane` bin as a child process (plain node, as `npx querylane` does)
// against the real server on an ephemeral port, and checks what a person or a script would see.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
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

function start(
  args: string[],
  url = server.url,
  opts: { env?: Record<string, string>; stdin?: string } = {},
): { child: ChildProcess; done: Promise<Outcome> } {
  const { QUERYLANE_TOKEN: _token, QUERYLANE_DEBUG: _debug, ...inherited } = process.env;
  const child = spawn(process.execPath, [bin, ...args], {
    env: { ...inherited, QUERYLANE_URL: url, ...opts.env },
    stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (opts.stdin !== undefined) child.stdin?.end(opts.stdin);
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
    await vi.waitFor(
      async () =>
        expect((await client.trpc.runs.byId.query({ runId: run.id })).stage).toBe('execute'),
      { timeout: 30_000, interval: 50 },
    );
    child.kill('SIGINT');
    const out = await done;

    expect(out.code).toBe(130);
    expect(out.stderr).toContain(`querylane: cancelled (run ${run.id})`);
    expect((await client.trpc.runs.byId.query({ runId: run.id })).status).toBe('cancelled');
  });

  it('explains bad usage with exit code 2, and suggests the nearest command', async () => {
    const out = await cli('run');
    expect(out.code).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toBe(
      "querylane: missing required argument 'sql'\n(querylane run --help shows its usage)\n",
    );
    const typo = await cli('hsitory', '--json');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe("querylane: unknown command 'hsitory'\n(Did you mean history?)\n");
    expect(JSON.parse(typo.stdout)).toEqual({
      error: {
        code: 'USAGE',
        message: "unknown command 'hsitory' (Did you mean history?)",
        exitCode: 2,
      },
    });
  });

  it('reads the SQL from stdin with run -', async () => {
    const out = await start(['run', '-', '--json'], server.url, { stdin: `${CATEGORIES};\n` }).done;
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const stored = await latestRun();
    expect(stored.query).toBe(`${CATEGORIES};\n`);
    expect(JSON.parse(out.stdout)).toEqual(stored.result);

    const empty = await start(['run', '-'], server.url, { stdin: '  \n' }).done;
    expect(empty.code).toBe(2);
    expect(empty.stderr).toBe('querylane: The SQL on stdin is empty.\n');
  });

  it('prints a JSON error object on stdout with --json when the run fails', async () => {
    const out = await cli('run', 'SELECT * FROM nope', '--json');
    expect(out.code).toBe(1);
    const stored = await latestRun();
    expect(JSON.parse(out.stdout)).toEqual({
      error: {
        code: 'SQL_SYNTAX',
        message: 'no such table: nope',
        hint: stored.error?.hint,
        runId: stored.id,
        exitCode: 1,
      },
    });
    expect(out.stderr).toMatch(/^querylane: SQL_SYNTAX: no such table: nope\n/);
  });

  it('ends quietly with exit 0 when the reader closes the pipe (| head)', async () => {
    // About 500 KB of JSON: far more than a pipe holds, so the CLI is still writing when head exits.
    const wide = "SELECT printf('%.500c', 'x') AS pad FROM order_items LIMIT 1000";
    const piped = spawn(
      'bash',
      [
        '-c',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash expansion, not a template
        'node "$0" run --json "$1" | head -c 40; echo " exit=${PIPESTATUS[0]}" >&2',
        bin,
        wide,
      ],
      { env: { ...process.env, QUERYLANE_URL: server.url }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    piped.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    piped.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const code = await new Promise<number | null>((resolve) => piped.once('close', resolve));
    expect(code).toBe(0);
    expect(stdout).toHaveLength(40);
    expect(stdout).toMatch(/^\{\n {2}"columns": \[/);
    expect(stderr).toBe(' exit=0\n');
    const stored = await latestRun();
    expect(stored.query).toBe(wide);
    expect(stored.result?.rows).toHaveLength(1000);
  });
});

describe('querylane against a server that requires a token', () => {
  it('takes the token from QUERYLANE_TOKEN or --token-file, and says when there is none', async () => {
    const secured = await startTestServer({
      // Another major version: the CLI warns once on stderr and still works.
      version: '9.0.0',
      security: {
        auth: {
          mode: 'token',
          tokens: [{ token: 'cli-token-0123456789ab', userId: 'carol', role: 'user' }],
        },
      },
    });
    const dir = mkdtempSync(join(tmpdir(), 'querylane-cli-'));
    try {
      const tokenFile = join(dir, 'token');
      writeFileSync(tokenFile, 'cli-token-0123456789ab\n', { mode: 0o600 });
      const fromFile = await start(['run', 'SELECT 7 AS n', '--token-file', tokenFile], secured.url)
        .done;
      expect(fromFile.stderr).toMatch(
        /^querylane: warning: @querylane\/client \S+ is talking to a Querylane server 9\.0\.0 at http:\/\/127\.0\.0\.1:\d+: .*\n$/,
      );
      expect(tableLines(fromFile.stdout)).toEqual(['n', '-', '7']);
      const fromEnv = await start(['history', '--json'], secured.url, {
        env: { QUERYLANE_TOKEN: 'cli-token-0123456789ab' },
      }).done;
      expect(fromEnv.code).toBe(0);
      const runs = JSON.parse(fromEnv.stdout) as { query: string; status: string }[];
      expect(runs.map((r) => [r.query, r.status])).toEqual([['SELECT 7 AS n', 'completed']]);

      const none = await start(['history'], secured.url).done;
      expect(none.code).toBe(1);
      expect(none.stderr).toBe('querylane: UNAUTHORIZED: Sign in first: send a token.\n');
      const missing = await start(['history', '--token-file', join(dir, 'nope')], secured.url).done;
      expect(missing.code).toBe(2);
      expect(missing.stderr).toBe(
        `querylane: cannot read --token-file ${join(dir, 'nope')} (ENOENT).\n`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await secured.close();
      removeDir(secured.dataDir);
    }
  }, 180_000);
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
