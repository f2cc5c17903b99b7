// @querylane/react as a React app outside the repository gets it: both packages packed and
// installed into a throwaway project, the app (src/test/app.tsx) type-checked by the project's
// tsc, bundled, served by the real server and rendered in Debian's Chromium. The DOM tells what
// the hooks returned; the store tells what really happened.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createQuerylaneClient, type QuerylaneClient } from '@querylane/client';
import {
  assertBuilt,
  type Consumer,
  consumerProject,
  type Packed,
  pack,
} from '@querylane/client/testing';
import { removeDir, startTestServer } from '@querylane/server/test-harness';
import { build } from 'esbuild';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const CATEGORIES =
  'SELECT category, count(*) AS n FROM products GROUP BY category ORDER BY category';
// Keeps the SQL worker busy for a second or two: long enough to cut the socket mid-run.
const SLOW = `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 5000000)
SELECT count(*) AS n FROM c`;

const strict = { target: 'ES2022', strict: true, skipLibCheck: true, jsx: 'react-jsx' };

let server: Awaited<ReturnType<typeof startTestServer>>;
let consumer: Consumer;
let packed: { client: Packed; react: Packed };
let scratch: string;
let browser: Browser;
let node: QuerylaneClient;

beforeAll(async () => {
  assertBuilt(here('../dist/index.d.ts'), '`npx turbo run build --filter=@querylane/react`');
  assertBuilt(here('../../client/dist/index.d.ts'), '`npm run build -w @querylane/client`');
  scratch = mkdtempSync(join(tmpdir(), 'querylane-react-'));
  packed = {
    client: pack(here('../../client'), scratch),
    react: pack(here('..'), scratch),
  };
  consumer = consumerProject({
    'package.json': JSON.stringify({
      name: 'react-consumer',
      private: true,
      type: 'module',
      dependencies: {
        '@querylane/client': `file:${packed.client.tarball}`,
        '@querylane/react': `file:${packed.react.tarball}`,
        '@tanstack/react-query': '^5.108.0',
        react: '^19.3.1',
        'react-dom': '^19.3.1',
      },
      devDependencies: {
        '@types/react': '^19.3.0',
        '@types/react-dom': '^19.3.0',
        typescript: '~5.9.3',
      },
    }),
    'src/app.tsx': readFileSync(here('test/app.tsx'), 'utf8'),
    'tsconfig.bundler.json': JSON.stringify({
      compilerOptions: {
        ...strict,
        lib: ['ES2023', 'DOM', 'DOM.Iterable'],
        module: 'ESNext',
        moduleResolution: 'Bundler',
        noEmit: true,
      },
      include: ['src'],
    }),
    'tsconfig.node16.json': JSON.stringify({
      compilerOptions: {
        ...strict,
        lib: ['ES2023', 'DOM', 'DOM.Iterable'],
        module: 'Node16',
        moduleResolution: 'Node16',
        noEmit: true,
      },
      include: ['src'],
    }),
  });
  consumer.install();

  const web = join(scratch, 'web');
  mkdirSync(web);
  await build({
    entryPoints: [join(consumer.dir, 'src/app.tsx')],
    absWorkingDir: consumer.dir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    jsx: 'automatic',
    // React's development build, so StrictMode runs every effect twice as it would in dev.
    define: { 'process.env.NODE_ENV': '"development"' },
    outfile: join(web, 'app.js'),
    logLevel: 'warning',
  });
  writeFileSync(
    join(web, 'index.html'),
    '<!doctype html><html><body><div id="root"></div><script type="module" src="/app.js"></script></body></html>',
  );
  server = await startTestServer({ webDist: web, queryTimeoutMs: 120_000 });
  node = createQuerylaneClient({ url: server.url, WebSocket, lazy: true });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
  });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await node?.close();
  await server?.close();
  if (server) removeDir(server.dataDir);
  consumer?.remove();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

async function open(search: string): Promise<Page> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(`${server.url}/${search}`);
  await page.locator('#start').waitFor();
  expect(errors).toEqual([]);
  return page;
}

const attr = (page: Page, name: string) => page.locator('#run').getAttribute(name);

async function storedSeqs(runId: string): Promise<string> {
  return (await server.stores.history.after(runId, 0, 10_000)).map((e) => e.seq).join(',');
}

describe('the packed @querylane/react in Chromium against the real server', () => {
  // Two full tsc runs: seconds on an idle machine, minutes on a crowded one (a ceiling only).
  it('packs built JavaScript and one declaration file, and type-checks a strict app', () => {
    expect(packed.react.files).toEqual(['dist/index.d.ts', 'dist/index.js', 'package.json']);
    expect(consumer.tsc('tsconfig.bundler.json')).toBe('');
    expect(consumer.tsc('tsconfig.node16.json')).toBe('');
    const own = consumer.dependenciesOf('@querylane/react', [
      // The app's own: peers of ours and of tRPC's React bindings.
      '@querylane/client',
      '@tanstack/react-query',
      'react',
      'react-dom',
      'typescript',
    ]);
    expect(own).toEqual(['@trpc/client', '@trpc/server', '@trpc/tanstack-react-query']);
    console.log(
      `@querylane/react tarball: ${packed.react.size} B packed, ${packed.react.unpackedSize} B ` +
        `unpacked; installs ${own.length} packages of its own: ${own.join(', ')}`,
    );
  }, 300_000);

  it('starts a run with useStartRun and shows it live to its result with useRun; useRunsList follows', async () => {
    const page = await open(`?q=${encodeURIComponent(CATEGORIES)}`);
    await page.locator('#start').click();
    // Ended, and the stream delivered everything (the status may come from the record first).
    await page
      .locator('#run[data-status="completed"][data-live="false"]')
      .waitFor({ timeout: 60_000 });

    const runId = (await attr(page, 'data-run-id')) ?? '';
    const stored = await node.trpc.runs.byId.query({ runId });
    expect(stored.status).toBe('completed');
    expect(JSON.parse((await page.locator('#rows').textContent()) ?? 'null')).toEqual(
      stored.result?.rows,
    );
    expect(await attr(page, 'data-seqs')).toBe(await storedSeqs(runId));
    expect(await attr(page, 'data-progress')).toBe('100');
    // The list was refreshed when the run ended: it shows this run as completed.
    await page.locator(`#runs li[data-id="${runId}"]`, { hasText: 'completed' }).waitFor();
    await page.close();
  });

  it('keeps following a run across a dropped socket, each event exactly once', async () => {
    let connections = 0;
    const count = () => {
      connections += 1;
    };
    server.wss.on('connection', count);
    try {
      const page = await open(`?q=${encodeURIComponent(SLOW)}`);
      await page.locator('#start').click();
      await page.locator('#run[data-stage="execute"]').waitFor({ timeout: 60_000 });
      const before = connections;
      for (const socket of server.wss.clients) socket.terminate();
      await page
        .locator('#run[data-status="completed"][data-live="false"]')
        .waitFor({ timeout: 60_000 });

      const runId = (await attr(page, 'data-run-id')) ?? '';
      expect(connections).toBeGreaterThan(before);
      expect(await attr(page, 'data-seqs')).toBe(await storedSeqs(runId));
      expect(JSON.parse((await page.locator('#rows').textContent()) ?? 'null')).toEqual([
        [5_000_000],
      ]);
      await page.close();
    } finally {
      server.wss.off('connection', count);
    }
  });

  it("follows an existing run by id, shows a failed run's code, and an unknown run's refusal", async () => {
    const failed = await node.run('SELECT * FROM nope').catch((e: { runId: string }) => e);
    const failedRunId = (failed as { runId: string }).runId;
    const page = await open(`?run=${failedRunId}`);
    // The record says `failed` at once; the replay (replay: true) brings the events after it.
    await page.locator('#run[data-status="failed"]').waitFor();
    await page.locator('#run[data-live="false"]').waitFor();
    expect(await attr(page, 'data-error')).toBe('SQL_SYNTAX');
    expect(await attr(page, 'data-seqs')).toBe(await storedSeqs(failedRunId));
    await page.close();

    const unknown = await open('?run=no-such-run');
    await unknown.locator('#run[data-problem="NOT_FOUND"]').waitFor();
    expect(await unknown.locator('#run').getAttribute('data-seqs')).toBe('');
    await unknown.close();
  });
});
