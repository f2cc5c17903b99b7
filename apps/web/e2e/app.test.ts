// Drives the built SPA in Debian's Chromium against the real server (fresh data dir, ephemeral
// port): a query streams progress into a table, survives a reload, errors read well, cancel works.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const webRoot = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const dist = join(webRoot, 'dist');
const serverMain = join(repoRoot, 'apps/server/src/main.ts');

const CATEGORY_SQL =
  'SELECT category, count(*) AS n FROM products GROUP BY category ORDER BY category';
const ENDLESS_SQL =
  'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c';

interface RunningServer {
  child: ChildProcess;
  baseUrl: string;
  output: () => string;
}

/** Starts `apps/server` as a child process and resolves once it prints its URL. */
function startServer(dataDir: string, port = 0): Promise<RunningServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', serverMain], {
    cwd: repoRoot,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      QUERYLANE_DATA_DIR: dataDir,
      QUERYLANE_WEB_DIST: dist,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const output = () => log;
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
      if (match?.[1]) {
        child.stdout?.off('data', onData);
        child.stdout?.on('data', (c: Buffer) => {
          log += c.toString();
        });
        resolve({ child, baseUrl: match[1], output });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`server exited early (code ${code}, signal ${signal}):\n${log}`)),
    );
    child.once('error', reject);
  });
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** The most recently changed file under `dir`, to catch a test run against an old build. */
function newestSource(dir: string): { path: string; mtimeMs: number } | undefined {
  let newest: { path: string; mtimeMs: number } | undefined;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || /\.test\.tsx?$/.test(entry.name)) continue;
    const path = join(entry.parentPath, entry.name);
    const { mtimeMs } = statSync(path);
    if (!newest || mtimeMs > newest.mtimeMs) newest = { path, mtimeMs };
  }
  return newest;
}

/** Playwright-core has no `expect`; this waits until the locator's text is exactly `text`. */
async function waitForText(locator: Locator, text: string, timeout = 30_000): Promise<void> {
  await locator.filter({ hasText: new RegExp(`^\\s*${text}\\s*$`) }).waitFor({ timeout });
}

async function cellTexts(table: Locator, part: 'thead th' | 'tbody tr'): Promise<string[][]> {
  return table
    .locator(part)
    .evaluateAll((els) =>
      els.map((el) =>
        el.tagName === 'TR'
          ? Array.from(el.querySelectorAll('td'), (td) => td.textContent ?? '')
          : [el.textContent ?? ''],
      ),
    );
}

describe('Querylane in the browser', () => {
  let dataDir: string;
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let expectedRows: string[][];
  let conversationPath: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(join(dist, 'index.html'))) {
      throw new Error(
        `${join(dist, 'index.html')} is missing: build the SPA first ` +
          '(`npm run build -w @querylane/web`; `turbo run test` builds it before testing).',
      );
    }
    // The bundle holds the SPA's sources and the client package's (which builds its links).
    const stale = [join(webRoot, 'src'), join(repoRoot, 'packages/client/src')]
      .map(newestSource)
      .reduce((a, b) => ((b?.mtimeMs ?? 0) > (a?.mtimeMs ?? 0) ? b : a), undefined);
    if (stale && stale.mtimeMs > statSync(join(dist, 'index.html')).mtimeMs) {
      throw new Error(`dist/ is older than ${stale.path}: rebuild the SPA before testing it.`);
    }
    dataDir = mkdtempSync(join(tmpdir(), 'querylane-e2e-'));
    server = await startServer(dataDir);

    // The expected answer comes from SQLite directly, not from the server under test.
    const db = new Database(join(dataDir, 'shop.db'), { readonly: true, fileMustExist: true });
    try {
      const rows = db.prepare(CATEGORY_SQL).raw().all() as [string, number][];
      expectedRows = rows.map(([category, n]) => [category, String(n)]);
    } finally {
      db.close();
    }
    expect(expectedRows.length).toBeGreaterThan(1);

    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    // Record every progress value the page ever renders: a fast run may show its bar only briefly,
    // too briefly for polling, but a MutationObserver sees each commit.
    await context.addInitScript(() => {
      const seen: number[] = [];
      Object.assign(window, { __progress: seen });
      new MutationObserver(() => {
        for (const el of document.querySelectorAll('[role="progressbar"]')) {
          const value = Number(el.getAttribute('aria-valuenow'));
          if (seen.at(-1) !== value) seen.push(value);
        }
      }).observe(document, {
        subtree: true,
        childList: true,
        attributes: true,
        attributeFilter: ['aria-valuenow'],
      });
    });
    page = await context.newPage();
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });

  afterEach(() => {
    expect(pageErrors, 'uncaught errors in the page').toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    if (server) await stopServer(server.child);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const runCards = () => page.getByTestId('run-card');

  /** Types a query, runs it with Ctrl+Enter and returns the card of the new run. */
  async function runQuery(sql: string): Promise<Locator> {
    const before = await runCards().count();
    const editor = page.getByTestId('sql-editor');
    await editor.fill(sql);
    await editor.press('Control+Enter');
    const card = runCards().nth(before);
    await card.waitFor();
    return card;
  }

  it('connects, runs a query with live progress and shows the result table', async () => {
    await page.goto(server!.baseUrl);
    await waitForText(page.getByTestId('connection'), 'connected');

    // The schema panel lists the dataset's tables; a table's name writes a starter query.
    await page.getByRole('button', { name: 'products', exact: true }).click();
    expect(await page.getByTestId('sql-editor').inputValue()).toBe(
      'SELECT * FROM products LIMIT 100',
    );

    const card = await runQuery(CATEGORY_SQL);
    const table = card.locator('table.result-table');
    await table.waitFor();

    expect(await cellTexts(table, 'thead th')).toEqual([['category'], ['n']]);
    expect(await cellTexts(table, 'tbody tr')).toEqual(expectedRows);
    await waitForText(card.getByTestId('run-status'), 'completed');
    expect(await card.getByTestId('row-count').textContent()).toBe(`${expectedRows.length} rows`);

    // The rows leave the browser as CSV: header, then the same rows.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      card.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^querylane-[A-Za-z0-9-]{8}\.csv$/);
    const csv = readFileSync(await download.path(), 'utf8');
    expect(csv.split('\r\n')).toEqual([
      'category,n',
      ...expectedRows.map((cells) => cells.join(',')),
      '',
    ]);

    // The bar was on screen and only ever moved forward; it is gone once the result is in.
    const progress = await page.evaluate(
      () => (window as unknown as { __progress: number[] }).__progress,
    );
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((v) => v >= 0 && v <= 100)).toBe(true);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(await card.getByRole('progressbar').count()).toBe(0);

    // The run created a conversation, and the URL names it.
    conversationPath = new URL(page.url()).pathname;
    expect(conversationPath).toMatch(/^\/c\/[A-Za-z0-9_-]+$/);
  });

  it('keeps the conversation across a reload and reopens it from the sidebar', async () => {
    await page.reload();
    await waitForText(page.getByTestId('connection'), 'connected');
    let table = runCards().first().locator('table.result-table');
    await table.waitFor();
    expect(await cellTexts(table, 'tbody tr')).toEqual(expectedRows);

    // From the start page, the sidebar entry leads back to the same rows.
    await page.goto(server!.baseUrl);
    expect(await runCards().count()).toBe(0);
    const link = page.locator(`nav a[href="${conversationPath}"]`);
    await link.click();
    await page.waitForURL((url) => url.pathname === conversationPath);
    expect(await page.locator('nav a[aria-current="page"]').getAttribute('href')).toBe(
      conversationPath,
    );
    table = runCards().first().locator('table.result-table');
    await table.waitFor();
    expect(await cellTexts(table, 'thead th')).toEqual([['category'], ['n']]);
    expect(await cellTexts(table, 'tbody tr')).toEqual(expectedRows);
    expect(await page.getByTestId('sql-editor').inputValue()).toBe('');
  });

  it('shows a failed run as a readable error with its code', async () => {
    const card = await runQuery('DELETE FROM products');
    await waitForText(card.getByTestId('run-status'), 'failed');
    const error = card.getByTestId('run-error');
    expect(await error.locator('.error-code').textContent()).toBe('SQL_NOT_READ_ONLY');
    const text = (await error.textContent()) ?? '';
    expect(text.replace('SQL_NOT_READ_ONLY', '').trim().length).toBeGreaterThan(10);
    expect(await card.locator('table.result-table').count()).toBe(0);

    // It was refused, not run: the products are all still there.
    const db = new Database(join(dataDir, 'shop.db'), { readonly: true });
    try {
      const { n } = db.prepare('SELECT count(*) AS n FROM products').get() as { n: number };
      expect(n).toBeGreaterThan(0);
    } finally {
      db.close();
    }
    // Still the same conversation: the failed run joined it rather than starting another.
    expect(new URL(page.url()).pathname).toBe(conversationPath);
  });

  it('reattaches to a running query after a reload and cancels it from its card', async () => {
    let card = await runQuery(ENDLESS_SQL);
    let bar = card.getByRole('progressbar');
    await bar.waitFor();
    expect(await bar.getAttribute('aria-valuemin')).toBe('0');
    expect(await bar.getAttribute('aria-valuemax')).toBe('100');

    // The run outlives the page: after a reload its card follows the same run again, live.
    const runId = await card.getAttribute('data-run-id');
    await page.reload();
    card = page.locator(`[data-testid="run-card"][data-run-id="${runId}"]`);
    await waitForText(card.getByTestId('run-status'), 'running');
    bar = card.getByRole('progressbar');
    await bar.waitFor();
    const now = Number(await bar.getAttribute('aria-valuenow'));
    expect(now).toBeGreaterThan(0);
    expect(now).toBeLessThan(100);
    expect(await card.locator('.progress-text').textContent()).not.toBe('');

    await card.getByRole('button', { name: 'Cancel' }).click();
    await waitForText(card.getByTestId('run-status'), 'cancelled');
    expect(await bar.count()).toBe(0);
    expect(await card.getByRole('button', { name: 'Cancel' }).count()).toBe(0);

    // After a reload the card comes from history and still says cancelled.
    await page.reload();
    const cards = runCards();
    await waitForText(cards.nth(2).getByTestId('run-status'), 'cancelled');
    await waitForText(cards.nth(1).getByTestId('run-status'), 'failed');
    await waitForText(cards.nth(0).getByTestId('run-status'), 'completed');
  });

  it('renames a conversation in place and deletes it after confirming', async () => {
    const item = page.getByTestId('conversation-item').filter({
      has: page.locator(`a[href="${conversationPath}"]`),
    });
    await item.hover();
    await item.getByRole('button', { name: /^Rename/ }).click();
    const input = page.getByRole('textbox', { name: 'Conversation title' });
    await input.fill('Category counts');
    await input.press('Enter');
    await waitForText(item.locator('.conversation-title'), 'Category counts');
    await waitForText(page.getByTestId('conversation-title'), 'Category counts');

    page.once('dialog', (dialog) => void dialog.accept());
    await item.hover();
    await item.getByRole('button', { name: /^Delete/ }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await item.waitFor({ state: 'detached' });
    expect(await page.locator(`nav a[href="${conversationPath}"]`).count()).toBe(0);
  });

  it('shows reconnecting while the server is down and resumes; a run cut off ends interrupted', async () => {
    await page.goto(server!.baseUrl);
    const connection = page.getByTestId('connection');
    await waitForText(connection, 'connected');
    const card = await runQuery(ENDLESS_SQL);
    await card.getByRole('progressbar').waitFor();

    // Same port and data dir, as after a deploy: the page must find its way back by itself.
    const port = Number(new URL(server!.baseUrl).port);
    await stopServer(server!.child);
    await waitForText(connection, 'reconnecting');
    server = await startServer(dataDir, port);
    await waitForText(connection, 'connected');

    await waitForText(card.getByTestId('run-status'), 'interrupted');
    expect(await card.locator('.error-code').textContent()).toBe('INTERRUPTED');
    expect(await card.getByRole('progressbar').count()).toBe(0);
  });
});
