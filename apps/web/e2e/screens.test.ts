// The app on any screen, by keyboard and for screen readers, in Chromium against a server with
// sign-in: axe finds nothing serious on sign-in, home, a conversation and admin, light and dark;
// a 390 px phone gets a drawer, an editor in reach and tables that scroll inside their card; a
// keyboard alone gets from the start page to a result and back out of every dialog.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { QuerylaneClient } from '@querylane/client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runAxe, severe } from './axe.ts';
import { focused } from './focus.ts';
import {
  assertFreshBuild,
  launchChromium,
  runSql,
  type ServerProcess,
  sqlEditor,
  startServer,
  waitForText,
} from './harness.ts';
import { settle } from './measure.ts';
import { seedClient, seedConversation } from './seed.ts';

const ADMIN = 'root-screens-8d2f6a1c4e9b';
describe('any screen, keyboard and screen reader', () => {
  let dataDir: string;
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let client: QuerylaneClient | undefined;
  let conversationId: string;
  let questionsId: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    assertFreshBuild();
    dataDir = mkdtempSync(join(tmpdir(), 'querylane-e2e-screens-'));
    server = await startServer(dataDir, 0, {
      QUERYLANE_AUTH: 'token',
      QUERYLANE_TOKENS: `${ADMIN}:root:admin`,
      QUERYLANE_RUNS_PER_MINUTE: '1000',
    });
    client = seedClient(server.url, ADMIN);
    ({ conversationId } = await seedConversation(client, {
      title: 'Shop figures',
      count: 6,
      queries: [
        'SELECT category, count(*) AS n FROM products GROUP BY category ORDER BY category',
        'SELECT substr(order_date, 1, 7) AS month, count(*) AS orders FROM orders GROUP BY month ORDER BY month',
        'SELECT * FROM products LIMIT 200',
        'SELECT nope FROM products',
      ],
    }));
    // Asked in plain words: answers (markdown, reading, folded SQL, table, chart) and a refusal
    // with its example questions.
    ({ conversationId: questionsId } = await seedConversation(client, {
      title: 'Questions',
      count: 3,
      questions: true,
      queries: ['Revenue by channel in 2024', 'and by category?', 'What is the weather in Paris?'],
    }));
    for (const title of ['Second', 'Third']) {
      await client.trpc.conversations.create.mutate({ title });
    }
    browser = await launchChromium();
  });

  afterEach(() => {
    expect(pageErrors, 'uncaught errors in the page').toEqual([]);
  });

  afterAll(async () => {
    await client?.close();
    await browser?.close();
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function context(viewport = { width: 1360, height: 900 }, signedIn = true) {
    const ctx = await browser!.newContext({ viewport });
    if (signedIn) {
      await ctx.addInitScript((token) => {
        window.sessionStorage.setItem('querylane.token', token);
      }, ADMIN);
    }
    return ctx;
  }

  async function open(ctx: BrowserContext, path: string): Promise<Page> {
    const page = await ctx.newPage();
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(`${server!.url}${path}`);
    return page;
  }

  it('has no serious or critical axe violations on any page, light or dark', async () => {
    const pages: [string, boolean, string, (p: Page) => Promise<void>][] = [
      ['sign-in', false, '/', (p) => p.getByLabel('Access token').waitFor()],
      ['home', true, '/', (p) => waitForText(p.getByTestId('connection'), 'connected')],
      [
        'conversation',
        true,
        `/c/${conversationId}`,
        async (p) => {
          await p.locator('[data-testid="chart-plot"] svg').first().waitFor();
          await p.getByTestId('run-error').first().waitFor();
        },
      ],
      [
        'questions',
        true,
        `/c/${questionsId}`,
        async (p) => {
          await p.getByTestId('answer').nth(1).waitFor();
          await p.getByTestId('example-question').first().waitFor();
          // The SQL unfolded, and the steps of the newest answer.
          await p.getByTestId('sql-fold').first().locator('summary').click();
        },
      ],
      ['admin', true, '/admin', (p) => p.getByTestId('metric-connections').waitFor()],
    ];
    const found: string[] = [];
    for (const scheme of ['light', 'dark'] as const) {
      for (const [name, signedIn, path, ready] of pages) {
        const ctx = await context(undefined, signedIn);
        const page = await ctx.newPage();
        page.on('pageerror', (err) => pageErrors.push(err.message));
        await page.emulateMedia({ colorScheme: scheme });
        await page.goto(`${server!.url}${path}`);
        await ready(page);
        await settle(page);
        found.push(...severe(await runAxe(page)).map((v) => `${name} (${scheme}): ${v}`));
        await ctx.close();
      }
    }
    expect(found).toEqual([]);
  });

  it('has no serious axe violations in the composer: suggestions open, SQL highlighted and completing', async () => {
    const found: string[] = [];
    for (const scheme of ['light', 'dark'] as const) {
      const ctx = await context();
      const page = await open(ctx, '/');
      await page.emulateMedia({ colorScheme: scheme });
      await waitForText(page.getByTestId('connection'), 'connected');
      const question = page.getByTestId('question-editor');
      await question.pressSequentially('revenue by cha');
      await page
        .getByRole('listbox', { name: 'Suggestions' })
        .getByRole('option')
        .first()
        .waitFor();
      await question.press('ArrowDown');
      expect(await question.getAttribute('aria-expanded')).toBe('true');
      await settle(page);
      found.push(...severe(await runAxe(page)).map((v) => `suggestions (${scheme}): ${v}`));

      const sql = await sqlEditor(page);
      await sql.fill("SELECT name, 'x' AS s, 42 AS n -- why\nFROM products WHERE ");
      await sql.press('End');
      await sql.pressSequentially('cat');
      await page.locator('.cm-tooltip-autocomplete').waitFor();
      await settle(page);
      found.push(...severe(await runAxe(page)).map((v) => `sql (${scheme}): ${v}`));
      await ctx.close();
    }
    expect(found).toEqual([]);
  });

  it('works on a 390 px phone: a drawer, the editor in reach, tables inside their card', async () => {
    const ctx = await context({ width: 390, height: 844 });
    const page = await open(ctx, '/');
    await waitForText(page.getByTestId('connection'), 'connected');
    const width = () => page.evaluate(() => document.documentElement.scrollWidth);
    expect(await width()).toBe(390);
    const ask = page.getByRole('button', { name: 'Ask', exact: true });
    const box = await ask.boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= 390 && box.y + box.height <= 844).toBe(true);
    expect(await page.locator('#sidebar').isVisible()).toBe(false);

    // The drawer opens with focus inside it; Esc closes it and gives focus back to its button.
    const menu = page.getByRole('button', { name: 'Conversations' });
    await menu.click();
    const drawer = page.getByRole('dialog', { name: 'Conversations' });
    await drawer.waitFor();
    expect(await drawer.evaluate((el) => el.contains(document.activeElement))).toBe(true);
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'hidden' });
    expect((await focused(page)).text).toContain('Conversations');

    // A wide result scrolls inside its card; the page stays 390 px wide; the chart fits.
    await runSql(page, 'SELECT * FROM products LIMIT 50');
    const card = page.getByTestId('run-card').first();
    await waitForText(card.getByTestId('run-status'), 'completed');
    const wrap = card.getByTestId('table-wrap');
    const [scrollW, clientW] = await wrap.evaluate((el) => [el.scrollWidth, el.clientWidth]);
    expect(scrollW).toBeGreaterThan(clientW);
    expect(clientW).toBeLessThanOrEqual(390);
    expect(await width()).toBe(390);
    await runSql(page, 'SELECT category, count(*) AS n FROM products GROUP BY category');
    const svg = page.locator('[data-testid="chart-plot"] svg[role="img"]').last();
    await svg.waitFor();
    const chart = await svg.boundingBox();
    expect(chart && chart.x >= 0 && chart.x + chart.width <= 390).toBe(true);
    expect(await width()).toBe(390);
    // Still in reach after results came in.
    const after = await page.getByRole('button', { name: 'Run', exact: true }).boundingBox();
    expect(after && after.y + after.height <= 844).toBe(true);
    await ctx.close();
  });

  it('gets from the start page to a result by keyboard alone', async () => {
    const ctx = await context();
    const page = await open(ctx, '/');
    await waitForText(page.getByTestId('connection'), 'connected');
    await page.keyboard.press('Tab');
    expect((await focused(page)).text).toBe('Skip to the editor');
    await page.keyboard.press('Enter');
    expect((await focused(page)).id).toBe('question-editor');
    // Back to the Ask/SQL switch, over to SQL (focus stays on the switch), on into the editor.
    await page.keyboard.press('Shift+Tab');
    const askRadio = page.getByRole('radio', { name: 'Ask', exact: true });
    expect(await askRadio.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('radio', { name: 'SQL', exact: true }).isChecked()).toBe(true);
    await page.getByTestId('sql-editor').waitFor();
    await page.keyboard.press('Tab');
    expect((await focused(page)).id).toBe('sql-editor');
    await page.keyboard.type('SELECT category, count(*) AS n FROM products GROUP BY category');
    await page.keyboard.press('Control+Enter');
    const card = page.getByTestId('run-card').first();
    await waitForText(card.getByTestId('run-status'), 'completed');
    await waitForText(
      page.getByTestId('announce-polite'),
      'Run completed, .* rows: SELECT category.*',
    );

    // Back from the editor into the result: the grid is one tab stop on its header.
    let reached = false;
    for (let i = 0; i < 12 && !reached; i++) {
      await page.keyboard.press('Shift+Tab');
      reached = (await focused(page)).cell === '-1:0';
    }
    expect(reached).toBe(true);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowRight');
    expect((await focused(page)).cell).toBe('0:1');
    await page.keyboard.press('Enter');
    await page.getByTestId('cell-dialog').waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('cell-dialog').waitFor({ state: 'hidden' });
    expect((await focused(page)).cell).toBe('0:1');

    // `?` shows the shortcuts; Esc closes them and focus is where it was.
    await page.keyboard.press('?');
    await page
      .getByTestId('shortcut-help')
      .getByRole('heading', { name: 'Keyboard shortcuts' })
      .waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('shortcut-help').getByRole('heading').waitFor({ state: 'detached' });
    expect((await focused(page)).cell).toBe('0:1');
    await ctx.close();
  });

  it('makes the conversation list one tab stop with arrow keys inside, and F2/Esc keep focus', async () => {
    const ctx = await context();
    const page = await open(ctx, '/');
    await page.getByTestId('conversation-item').nth(2).waitFor();
    await page.getByRole('searchbox', { name: 'Search conversations' }).focus();
    await page.keyboard.press('Tab');
    const first = await focused(page);
    expect(first.tag).toBe('a');
    await page.keyboard.press('Tab');
    const next = await focused(page);
    // One stop: the next Tab leaves the list (to the page's toolbar), not to another conversation.
    expect(next.conversation).toBeUndefined();
    await page.keyboard.press('Shift+Tab');
    expect((await focused(page)).conversation).toBe(first.conversation);
    await page.keyboard.press('ArrowDown');
    const second = await focused(page);
    expect(second.tag).toBe('a');
    expect(second.conversation).not.toBe(first.conversation);
    await page.keyboard.press('ArrowRight');
    expect((await focused(page)).label).toMatch(/^Pin /);

    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('F2');
    expect((await focused(page)).label).toBe('Conversation title');
    await page.keyboard.press('Escape');
    const back = await focused(page);
    expect(back.tag).toBe('a');
    expect(back.conversation).toBe(second.conversation);
    await ctx.close();
  });
});
