// Results in Chromium against the real server: a 1,000-row table keeps only what is visible in
// the DOM, sorts like SQLite, shows a cell's whole value, copies as TSV, downloads every row as
// CSV; the chart's type and measures change and stay changed after a reload; a failed run's text
// comes back to the editor and every finished card can run again.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { shortQuery } from '../src/format.ts';
import {
  assertFreshBuild,
  launchChromium,
  runSql,
  type ServerProcess,
  sqlEditorText,
  startServer,
  waitForText,
} from './harness.ts';

const BIG = 'SELECT id, order_id, quantity, unit_price FROM order_items ORDER BY id';
const MONTHLY =
  'SELECT substr(order_date, 1, 7) AS month, channel, count(*) AS orders, count(DISTINCT customer_id) AS customers FROM orders GROUP BY month, channel ORDER BY month';

describe('results in the browser', () => {
  let dataDir: string;
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let db: Database.Database;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    assertFreshBuild();
    dataDir = mkdtempSync(join(tmpdir(), 'querylane-e2e-results-'));
    server = await startServer(dataDir, 0, { QUERYLANE_RUNS_PER_MINUTE: '1000' });
    db = new Database(join(dataDir, 'shop.db'), { readonly: true, fileMustExist: true });
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: server.url,
    });
    page = await context.newPage();
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(server.url);
    await waitForText(page.getByTestId('connection'), 'connected');
  });

  afterEach(() => {
    expect(pageErrors, 'uncaught errors in the page').toEqual([]);
  });

  afterAll(async () => {
    db?.close();
    await browser?.close();
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const seen = new Set<string>();
  let monthlyRun = '';
  const cardOf = (runId: string) =>
    page.locator(`[data-testid="run-card"][data-run-id="${runId}"]`);

  /** The card of the run that appears next (the thread is virtual: counting cards says little). */
  async function nextCard(): Promise<Locator> {
    const handle = await page.waitForFunction(
      (known) => {
        const ids = Array.from(document.querySelectorAll('[data-testid="run-card"]'), (el) =>
          el.getAttribute('data-run-id'),
        );
        return ids.find((id) => id && !known.includes(id)) ?? null;
      },
      [...seen],
    );
    const runId = (await handle.jsonValue()) as string;
    seen.add(runId);
    return cardOf(runId);
  }

  async function run(sql: string): Promise<Locator> {
    for (const id of await page
      .getByTestId('run-card')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-run-id') ?? ''))) {
      seen.add(id);
    }
    await runSql(page, sql);
    const card = await nextCard();
    await waitForText(card.getByTestId('run-status'), '(completed|failed)');
    return card;
  }

  const columnTexts = (card: Locator, col: number) =>
    card
      .locator('tbody tr:not(.spacer)')
      .evaluateAll((rows, c) => rows.map((r) => r.children[c]?.textContent ?? ''), col);

  it('keeps a 1,000-row result virtual, sorts it like SQLite and shows a whole value', async () => {
    const card = await run(BIG);
    const total = (db.prepare('SELECT count(*) FROM order_items').pluck().get() as number) ?? 0;
    await waitForText(
      card.getByTestId('row-count'),
      `showing 1,000 of ${total.toLocaleString('en-US')} rows`,
    );
    const rendered = await card.locator('tbody tr:not(.spacer)').count();
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(60);
    expect(await card.getByRole('grid').getAttribute('aria-rowcount')).toBe('1001');

    // Numbers align right.
    const align = await card
      .locator('tbody td')
      .nth(2)
      .evaluate((td) => getComputedStyle(td).textAlign);
    expect(align).toBe('right');

    // Sorted by unit_price, highest first (numbers sort descending first), ties as SQLite has them.
    const header = card.getByRole('columnheader', { name: /unit_price/ });
    await header.click();
    expect(await header.getAttribute('aria-sort')).toBe('descending');
    const kept = db.prepare(`${BIG} LIMIT 1000`).raw().all() as number[][];
    const asNumbers = (texts: string[]) => texts.map((t) => Number(t.replaceAll(',', '')));
    const top = [...kept]
      .sort((a, b) => b[3]! - a[3]!)
      .slice(0, 5)
      .map((r) => r[3]);
    expect(asNumbers(await columnTexts(card, 3)).slice(0, 5)).toEqual(top);
    await header.click();
    expect(await header.getAttribute('aria-sort')).toBe('ascending');
    const bottom = [...kept]
      .sort((a, b) => a[3]! - b[3]!)
      .slice(0, 5)
      .map((r) => r[3]);
    expect(asNumbers(await columnTexts(card, 3)).slice(0, 5)).toEqual(bottom);

    // The table scrolls inside its card: the last kept row comes into the DOM at the end.
    await card.getByTestId('table-wrap').evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await card.locator('tr[aria-rowindex="1001"]').waitFor();

    // Enter on a cell shows its whole value; Esc puts focus back on that cell.
    const cell = card.locator('td[data-cell="990:1"]');
    const [text, at] = [await cell.textContent(), await cell.getAttribute('data-cell')];
    await cell.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByTestId('cell-dialog');
    await dialog.waitFor();
    expect(await dialog.getByTestId('cell-full').textContent()).toBe(text);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-cell'))).toBe(at);
  });

  it('downloads every row as CSV and copies the kept rows as TSV', async () => {
    const card = page.getByTestId('run-card').last();
    expect(await card.getAttribute('aria-label')).toBe(`Run of ${shortQuery(BIG)}`);
    const total = db.prepare('SELECT count(*) FROM order_items').pluck().get() as number;
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      card.getByRole('button', { name: /Download all .* rows \(CSV\)/ }).click(),
    ]);
    const lines = readFileSync(await download.path(), 'utf8').split('\r\n');
    expect(lines[0]).toBe('id,order_id,quantity,unit_price');
    expect(lines).toHaveLength(total + 2);
    const last = db
      .prepare(`${BIG.replace('ORDER BY id', 'ORDER BY id DESC')} LIMIT 1`)
      .raw()
      .get() as number[];
    expect(lines.at(-2)).toBe(last.join(','));

    await card.getByRole('button', { name: 'Copy TSV' }).click();
    await waitForText(page.getByTestId('announce-polite'), 'Copied 1,000 rows as TSV');
    const tsv = await page.evaluate(() => navigator.clipboard.readText());
    const tsvLines = tsv.split('\n');
    expect(tsvLines[0]).toBe('id\torder_id\tquantity\tunit_price');
    expect(tsvLines).toHaveLength(1002);
  });

  it('changes the chart and keeps the change across a reload', async () => {
    const card = await run(MONTHLY);
    const controls = card.getByTestId('chart-controls');
    await controls.waitFor();
    // The suggestion: a monthly series is a line, split by channel.
    expect(await controls.getByLabel('Chart').inputValue()).toBe('line');
    expect(await controls.getByLabel('Series').inputValue()).toBe('channel');
    await card.getByTestId('chart-plot').locator('svg[role="img"]').waitFor();

    await controls.getByLabel('Chart').selectOption('area');
    await controls.getByLabel('Series').selectOption('');
    await controls.getByRole('checkbox', { name: 'customers' }).check();
    await card
      .locator('figcaption', { hasText: 'area chart of orders, customers by month' })
      .waitFor();

    monthlyRun = (await card.getAttribute('data-run-id')) ?? '';
    await page.reload();
    const again = cardOf(monthlyRun);
    const reloaded = again.getByTestId('chart-controls');
    await reloaded.waitFor();
    expect(await reloaded.getByLabel('Chart').inputValue()).toBe('area');
    expect(await reloaded.getByLabel('Series').inputValue()).toBe('');
    expect(await reloaded.getByRole('checkbox', { name: 'customers' }).isChecked()).toBe(true);
    expect(await reloaded.getByRole('checkbox', { name: 'orders' }).isChecked()).toBe(true);
    await again.getByTestId('chart-plot').locator('svg[role="img"]').waitFor();
  });

  it('gives a failed run’s text back to the editor, and runs a finished one again', async () => {
    const bad = 'SELECT nope FROM products';
    const failed = await run(bad);
    await waitForText(failed.getByTestId('run-status'), 'failed');
    // In SQL mode, where it was written.
    await expect.poll(() => sqlEditorText(page)).toBe(bad);

    await page.getByTestId('sql-editor').fill('');
    await failed.getByTestId('run-again').click();
    const rerun = await nextCard();
    await waitForText(rerun.getByTestId('run-status'), 'failed');
    expect(await rerun.getAttribute('aria-label')).toBe(`Run of ${shortQuery(bad)}`);
    // Run again on the chart's run, one that completes.
    const monthly = page.locator('[data-testid="run-card"]', {
      has: page.getByTestId('chart-controls'),
    });
    await monthly.last().scrollIntoViewIfNeeded();
    await monthly.last().getByTestId('run-again').click();
    const again = await nextCard();
    await waitForText(again.getByTestId('run-status'), 'completed');
    expect(await again.getAttribute('aria-label')).toBe(`Run of ${shortQuery(MONTHLY)}`);
  });
});
