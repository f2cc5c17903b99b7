// Runs the compiled `querylane` bin as a child process (plain node, as `npx querylane` does)
// against the real server on an ephemeral port: `querylane run` and a server that wants a token.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeDir, startTestServer } from '@querylane/server/test-harness';
import Database from 'better-sqlite3';
import { describe, expect, it, vi } from 'vitest';
import { bin, CATEGORIES, ENDLESS, tableLines, useCliServer } from './test/cli.ts';

const suite = useCliServer();
const { start, cli, latestRun } = suite;

describe('querylane run', () => {
  it('prints the result as an aligned table with the right rows', async () => {
    const out = await cli('run', CATEGORIES);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);

    const shop = new Database(join(suite.server.dataDir, 'shop.db'), { readonly: true });
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
    const before = (await suite.server.services.runs.stats()).running;
    const { child, done } = start(['run', ENDLESS]);
    await vi.waitFor(
      async () => expect((await suite.server.services.runs.stats()).running).toBe(before + 1),
      {
        timeout: 30_000,
        interval: 50,
      },
    );
    const run = await latestRun();
    expect(run.query).toBe(ENDLESS);
    await vi.waitFor(
      async () =>
        expect((await suite.client.trpc.runs.byId.query({ runId: run.id })).stage).toBe('execute'),
      { timeout: 30_000, interval: 50 },
    );
    child.kill('SIGINT');
    const out = await done;

    expect(out.code).toBe(130);
    expect(out.stderr).toContain(`querylane: cancelled (run ${run.id})`);
    expect((await suite.client.trpc.runs.byId.query({ runId: run.id })).status).toBe('cancelled');
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
    const out = await start(['run', '-', '--json'], suite.server.url, { stdin: `${CATEGORIES};\n` })
      .done;
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const stored = await latestRun();
    expect(stored.query).toBe(`${CATEGORIES};\n`);
    expect(JSON.parse(out.stdout)).toEqual(stored.result);

    const empty = await start(['run', '-'], suite.server.url, { stdin: '  \n' }).done;
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
      {
        env: { ...process.env, QUERYLANE_URL: suite.server.url },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
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
