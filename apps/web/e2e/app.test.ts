// Drives the built SPA in Debian's Chromium against the real server (fresh data dir, ephemeral
// port): a query streams progress into a table, survives a reload, errors read well, cancel works.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { cellTexts, recordTransients, sqliteRows } from './app-helpers.ts';
import {
  assertFreshBuild,
  launchChromium,
  runSql,
  type ServerProcess,
  sqlEditorText,
  startServer,
  waitForText,
} from './harness.ts';

const CATEGORY_SQL =
  'SELECT category, count(*) AS n FROM products GROUP BY category ORDER BY category';
const SLOW_SQL = `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 20000000)
SELECT count(*) AS n FROM c`;
// One run at a time so queueing shows; a short keep-alive so a page that stops answering is
// dropped within seconds.
const SERVER_ENV = {
  QUERYLANE_MAX_CONCURRENT_RUNS: '1',
  QUERYLANE_WS_PING_MS: '1000',
  QUERYLANE_WS_PONG_WAIT_MS: '1000',
};
const ENDLESS_SQL =
  'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c';

describe('Querylane in the browser', () => {
  let dataDir: string;
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let expectedRows: string[][];
  let conversationPath: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    assertFreshBuild();
    dataDir = mkdtempSync(join(tmpdir(), 'querylane-e2e-'));
    server = await startServer(dataDir, 0, SERVER_ENV);

    // The expected answer comes from SQLite directly, not from the server under test.
    expectedRows = sqliteRows(join(dataDir, 'shop.db'), CATEGORY_SQL);
    expect(expectedRows.length).toBeGreaterThan(1);

    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    await recordTransients(context);
    page = await context.newPage();
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });

  afterEach(() => {
    expect(pageErrors, 'uncaught errors in the page').toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const runCards = () => page.getByTestId('run-card');

  /** Types a query in SQL mode, runs it with Ctrl+Enter and returns the card of the new run. */
  async function runQuery(sql: string): Promise<Locator> {
    const before = await runCards().count();
    await runSql(page, sql);
    const card = runCards().nth(before);
    await card.waitFor();
    return card;
  }

  it('connects, runs a query with live progress and shows the result table', async () => {
    await page.goto(server!.url);
    await waitForText(page.getByTestId('connection'), 'connected');

    // The schema panel lists the dataset's tables; a table's name writes a starter query, in
    // SQL mode (the composer asks in plain words until then).
    expect(await page.getByRole('radio', { name: 'Ask', exact: true }).isChecked()).toBe(true);
    await page.getByRole('button', { name: 'products', exact: true }).click();
    await page.getByTestId('sql-editor').waitFor();
    expect(await page.getByRole('radio', { name: 'SQL', exact: true }).isChecked()).toBe(true);
    expect(await sqlEditorText(page)).toBe('SELECT * FROM products LIMIT 100');

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
    await page.goto(server!.url);
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
    expect(await page.getByTestId('question-editor').inputValue()).toBe('');
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

    // Into execution, with the plan shown, before the reload.
    await card.locator('details.plan').waitFor();
    await page.waitForFunction(
      (el) => Number(el?.getAttribute('aria-valuenow')) > 40,
      await bar.elementHandle(),
    );
    const before = Number(await bar.getAttribute('aria-valuenow'));

    // The run outlives the page: after a reload its card follows the same run again, live.
    const runId = await card.getAttribute('data-run-id');
    await page.reload();
    card = page.locator(`[data-testid="run-card"][data-run-id="${runId}"]`);
    await waitForText(card.getByTestId('run-status'), 'running');
    bar = card.getByRole('progressbar');
    await bar.waitFor();
    // Replayed: the plan is back, and the bar never showed less than it had before the reload.
    await card.locator('details.plan').waitFor();
    const replayed = await page.evaluate(
      () => (window as unknown as { __progress: number[] }).__progress,
    );
    expect(replayed.length).toBeGreaterThan(0);
    expect(Math.min(...replayed)).toBeGreaterThanOrEqual(before);
    // Then live: the bar moves on from there.
    const resumedAt = Number(await bar.getAttribute('aria-valuenow'));
    await page.waitForFunction(
      ([el, from]) =>
        Number((el as Element | null)?.getAttribute('aria-valuenow')) > (from as number),
      [await bar.elementHandle(), resumedAt] as const,
    );
    const now = Number(await bar.getAttribute('aria-valuenow'));
    expect(now).toBeLessThan(100);
    expect(await card.locator('.progress-text').textContent()).not.toBe('');

    // One run at a time on this server: the next one waits, and says where it stands.
    const waiting = await runQuery('SELECT 1 AS one');
    await waitForText(waiting.getByTestId('run-status'), 'queued');
    await waitForText(waiting.locator('.progress-text'), 'Queued: next to run');

    await card.getByRole('button', { name: 'Cancel' }).click();
    await waitForText(card.getByTestId('run-status'), 'cancelled');
    expect(await bar.count()).toBe(0);
    expect(await card.getByRole('button', { name: 'Cancel' }).count()).toBe(0);
    await waitForText(waiting.getByTestId('run-status'), 'completed');

    // After a reload the cards come from history and still say what happened.
    await page.reload();
    const cards = runCards();
    await waitForText(cards.nth(3).getByTestId('run-status'), 'completed');
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

  it('is dropped when it stops answering pings, shows reconnecting and recovers by itself', async () => {
    await page.goto(server!.url);
    await waitForText(page.getByTestId('connection'), 'connected');
    const card = await runQuery(SLOW_SQL);
    await card.getByRole('progressbar').waitFor();

    // Freeze the page's JavaScript: it can no longer answer the server's pings.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Debugger.enable');
    await cdp.send('Debugger.pause');
    // A socket opened after the freeze, that never answers either, is dropped by the same
    // keep-alive; the page's went quiet first, so once this one is gone, so is the page's.
    const silent = new WebSocket(`${server!.url.replace('http', 'ws')}/trpc`);
    const dropped = new Promise<number>((ok) => silent.once('close', (code) => ok(code)));
    expect(await dropped).toBe(1006);
    await cdp.send('Debugger.resume');
    await cdp.detach();

    await waitForText(page.getByTestId('connection'), 'connected');
    const history = await page.evaluate(
      () => (window as unknown as { __connection: string[] }).__connection,
    );
    expect(history.slice(-2)).toEqual(['reconnecting', 'connected']);
    // The run carried on on the server; the card catches up from its last event.
    await waitForText(card.getByTestId('run-status'), 'completed', 60_000);
  });

  it('shows reconnecting while the server is down and resumes; a run cut off ends interrupted', async () => {
    await page.goto(server!.url);
    const connection = page.getByTestId('connection');
    await waitForText(connection, 'connected');
    const card = await runQuery(ENDLESS_SQL);
    await card.getByRole('progressbar').waitFor();

    // Same port and data dir, as after a deploy: the page must find its way back by itself.
    const port = Number(new URL(server!.url).port);
    await server!.stop();
    await waitForText(connection, 'reconnecting');
    server = await startServer(dataDir, port, SERVER_ENV);
    await waitForText(connection, 'connected');

    await waitForText(card.getByTestId('run-status'), 'interrupted');
    expect(await card.locator('.error-code').textContent()).toBe('INTERRUPTED');
    expect(await card.getByRole('progressbar').count()).toBe(0);
  });
});
