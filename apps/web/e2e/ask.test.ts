// Asking in plain words, in Debian's Chromium against the real server and its offline translator
// on the shop dataset: suggestions while typing, the stages live, the answer, how it was read and
// the table (checked against SQLite); a follow-up in the same conversation; the SQL opened in SQL
// mode with "Edit and run" (highlighted, completing the schema's names); a refusal whose example
// questions are buttons that ask them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  assertFreshBuild,
  launchChromium,
  type ServerProcess,
  sqlEditorText,
  startServer,
  waitForText,
} from './harness.ts';
import { cardOf, inThreadView, sqliteTable, startedCard, tableTexts } from './thread.ts';

const PIPELINE = [
  'understand',
  'generate',
  'validate',
  'execute',
  'interpret',
  'review',
  'finalize',
];

describe('asking in plain words', () => {
  let dataDir: string;
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let db: Database.Database;
  let conversationPath: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    assertFreshBuild();
    dataDir = mkdtempSync(join(tmpdir(), 'querylane-e2e-ask-'));
    server = await startServer(dataDir);
    db = new Database(join(dataDir, 'shop.db'), { readonly: true, fileMustExist: true });
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: server.url,
    });
    // Every stage step the page ever shows, as `stage:state`, in the order first seen: a fast
    // run shows each only briefly, too briefly for polling, but a MutationObserver sees commits.
    await context.addInitScript(() => {
      const seen: string[] = [];
      Object.assign(window, { __stages: seen });
      new MutationObserver(() => {
        for (const el of document.querySelectorAll('ol[data-testid="stages"] > li')) {
          const step = `${el.getAttribute('data-stage')}:${el.getAttribute('data-state')}`;
          if (!seen.includes(step)) seen.push(step);
        }
      }).observe(document, { subtree: true, childList: true, attributes: true });
    });
    page = await context.newPage();
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (err) => pageErrors.push(err.message));
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

  const question = () => page.getByTestId('question-editor');
  const card = (runId: string) => cardOf(page, runId);
  const started = (act: () => Promise<void>) => startedCard(page, act);
  const expectedTable = (sql: string) => sqliteTable(db, sql);
  const inView = (el: Locator, anywhere = false) => inThreadView(page, el, anywhere);

  const ask = (text: string) =>
    started(async () => {
      await question().fill(text);
      await question().press('Enter');
    });

  /** The SQL a question card ran, from its fold. */
  async function sqlOf(card: Locator): Promise<string> {
    return (await card.getByTestId('sql-fold').locator('pre').textContent()) ?? '';
  }

  it('asks with suggestions, shows the stages live, then the answer, the reading and the table', async () => {
    await page.goto(server!.url);
    await waitForText(page.getByTestId('connection'), 'connected');
    expect(await page.getByRole('radio', { name: 'Ask', exact: true }).isChecked()).toBe(true);

    // Suggestions from the semantic model, offered as a listbox the keyboard can walk.
    await question().pressSequentially('rev', { delay: 20 });
    const listbox = page.getByRole('listbox', { name: 'Suggestions' });
    const first = listbox.getByRole('option').first();
    await waitForText(first.locator('.suggestion-text'), 'revenue');
    expect(await first.locator('.suggestion-detail').textContent()).toBe(
      'measure · measure of order items',
    );
    expect(await question().getAttribute('aria-expanded')).toBe('true');
    await question().press('ArrowDown');
    expect(await question().getAttribute('aria-activedescendant')).toBe(
      await first.getAttribute('id'),
    );
    expect(await first.getAttribute('aria-selected')).toBe('true');
    await question().press('Enter');
    expect(await question().inputValue()).toBe('revenue ');
    expect(await question().getAttribute('aria-expanded')).toBe('false');
    await question().pressSequentially('by channel in 2024');
    const card = await started(() => question().press('Enter'));
    await waitForText(card.getByTestId('run-status'), 'completed');
    conversationPath = new URL(page.url()).pathname;
    expect(await page.getByTestId('asked-question').locator('.bubble').textContent()).toBe(
      'revenue by channel in 2024',
    );

    // The stages came on screen in pipeline order (how many were caught mid-way depends on how
    // fast the run was; the model test slows them down and watches each one).
    const steps = card.locator('details.stages-done [data-testid="stage-step"]');
    // (The card may say "completed" from the run's record while its events still replay.)
    await expect.poll(() => steps.count()).toBe(PIPELINE.length);
    const seen = await page.evaluate(() => (window as unknown as { __stages: string[] }).__stages);
    const order = [...new Set(seen.map((s) => s.split(':')[0]))];
    expect(order).toEqual(PIPELINE.filter((s) => order.includes(s)));
    expect(order).toEqual(PIPELINE);
    // Once done, every step is kept under "How I got there", each done, none retried.
    expect(
      await steps.evaluateAll((els) => els.map((el) => el.getAttribute('data-stage'))),
    ).toEqual(PIPELINE);
    expect(
      new Set(await steps.evaluateAll((els) => els.map((el) => el.getAttribute('data-state')))),
    ).toEqual(new Set(['done']));
    expect(await card.getByTestId('stage-retry').count()).toBe(0);

    // The table is what SQLite gives for the SQL that ran.
    const sql = await sqlOf(card);
    expect(sql).toMatch(/^SELECT /);
    const expected = expectedTable(sql);
    expect(await tableTexts(card)).toEqual(expected);
    expect(expected.length - 1).toBe(4);

    // The answer, rendered from markdown: the channel with the highest revenue in bold first.
    const answer = card.getByTestId('answer');
    const top = expected[1]![0]!;
    expect(await answer.textContent()).toMatch(
      new RegExp(`^Sum of revenue by channel, 2024: ${top} has the highest revenue`),
    );
    expect(await answer.locator('strong').first().textContent()).toBe(top);
    expect(await answer.locator('li').count()).toBe(4);
    expect(await card.getByTestId('reading').textContent()).toBe(
      'How I read your question: sum of revenue by channel, 2024',
    );
    // The SQL is folded away until asked for.
    expect(await card.getByTestId('sql-fold').getAttribute('open')).toBeNull();

    // Copied as the markdown it is.
    await card.getByTestId('copy-answer').click();
    await waitForText(card.getByTestId('copy-answer'), 'Copied');
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toMatch(new RegExp(`^Sum of revenue by channel, 2024: \\*\\*${top}\\*\\*`));

    // A chat: the newest turn is in view, from its question down.
    expect(await inView(page.getByTestId('asked-question').last())).toBe(true);
  });

  let followUp: Locator;

  it('answers a follow-up in the same conversation, read with the turn before it', async () => {
    const card = await ask('and by category?');
    followUp = card;
    await waitForText(card.getByTestId('run-status'), 'completed');
    expect(new URL(page.url()).pathname).toBe(conversationPath);
    expect(await page.getByTestId('run-card').count()).toBe(2);
    expect(await card.getByTestId('reading').textContent()).toBe(
      'How I read your question: sum of revenue by channel and category, 2024',
    );
    const expected = expectedTable(await sqlOf(card));
    expect(expected[0]).toEqual(['channel', 'category', 'revenue']);
    expect(await card.locator('[data-testid="row-count"]').textContent()).toBe(
      `${expected.length - 1} rows`,
    );
    expect(await inView(page.getByTestId('asked-question').last())).toBe(true);
    await waitForText(
      page.getByTestId('asked-question').last().locator('.bubble'),
      'and by category\\?',
    );
  });

  it('opens the SQL with "Edit and run" in SQL mode, completes names from the schema, runs it', async () => {
    const card = followUp;
    const sql = await sqlOf(card);
    await card.getByTestId('sql-fold').locator('summary').click();
    await card.getByTestId('edit-and-run').click();
    const editor = page.getByTestId('sql-editor');
    await editor.waitFor();
    expect(await page.getByRole('radio', { name: 'SQL', exact: true }).isChecked()).toBe(true);
    expect(await sqlEditorText(page)).toBe(sql);
    expect(await editor.evaluate((el) => el === document.activeElement)).toBe(true);
    // Highlighted: the keywords are marked as such.
    expect(await editor.locator('.tok-keyword').first().textContent()).toBe('SELECT');

    // Edited (the caret is at the end) and run: a SQL turn, its rows as SQLite gives them.
    await page.keyboard.type(' LIMIT 3');
    const sqlCard = await started(() => editor.press('Control+Enter'));
    await waitForText(sqlCard.getByTestId('run-status'), 'completed');
    expect(await page.getByTestId('asked-sql').last().locator('pre').textContent()).toBe(
      `${sql} LIMIT 3`,
    );
    expect(await tableTexts(sqlCard)).toEqual(expectedTable(`${sql} LIMIT 3`));
    expect(await sqlEditorText(page)).toBe('');

    // Completion knows the schema: tables after FROM, and the columns of the tables named.
    await editor.fill('SELECT * FROM ord');
    await editor.press('End');
    await page.keyboard.press('Control+Space');
    const options = page.locator('.cm-tooltip-autocomplete li .cm-completionLabel');
    await options.first().waitFor();
    expect(await options.allTextContents()).toEqual(
      expect.arrayContaining(['orders', 'order_items']),
    );
    await page.keyboard.press('Escape');
    await editor.fill('SELECT name FROM products WHERE ');
    await editor.press('End');
    await page.keyboard.type('categ');
    await waitForText(options.first(), 'category');
    // Taken with the pointer: CodeMirror ignores Enter for its first 75 ms (interactionDelay, so
    // a fast typist's Enter stays a newline), and a test cannot observe when that window ends.
    const firstOption = page.locator('.cm-tooltip-autocomplete li').first();
    expect(await firstOption.getAttribute('aria-selected')).toBe('true');
    await options.first().click();
    expect(await sqlEditorText(page)).toBe('SELECT name FROM products WHERE category');
    await editor.fill('');

    // Back in Ask mode, text that is plainly SQL offers the switch, carrying the text over.
    await page.getByRole('radio', { name: 'Ask', exact: true }).check();
    await question().fill('SELECT count(*) AS n FROM orders');
    await page.getByTestId('switch-to-sql').click();
    await editor.waitFor();
    expect(await sqlEditorText(page)).toBe('SELECT count(*) AS n FROM orders');
    await editor.fill('');
    await page.getByRole('radio', { name: 'Ask', exact: true }).check();
    expect(await page.getByTestId('mode-hint').textContent()).toBe('');
  });

  let lastRunId: string;

  it('refuses what it cannot read, says why, and asks an example question when clicked', async () => {
    const card = await ask('What is the weather in Paris?');
    await waitForText(card.getByTestId('run-status'), 'failed');
    const refusal = card.getByTestId('refusal');
    expect(await refusal.getAttribute('data-code')).toBe('NOT_UNDERSTOOD');
    expect(await refusal.locator('.unknown-word').allTextContents()).toEqual(['weather']);
    expect(await refusal.getByTestId('understood').locator('li').allTextContents()).toEqual([
      '"paris" → city Paris',
    ]);
    // Nothing was guessed: no answer, no table.
    expect(await card.getByTestId('answer').count()).toBe(0);
    expect(await card.locator('table.result-table').count()).toBe(0);
    // The question comes back to the field, to be reworded.
    await expect.poll(() => question().inputValue()).toBe('What is the weather in Paris?');

    const examples = refusal.getByTestId('example-question');
    expect(await examples.count()).toBeGreaterThanOrEqual(3);
    const example = (await examples.first().textContent()) ?? '';
    const asked = await started(() => examples.first().click());
    await waitForText(asked.getByTestId('run-status'), 'completed');
    expect(await page.getByTestId('asked-question').last().locator('.bubble').textContent()).toBe(
      example,
    );
    expect(((await asked.getByTestId('answer').textContent()) ?? '').length).toBeGreaterThan(10);
    lastRunId = (await asked.getAttribute('data-run-id')) ?? '';
    expect(await tableTexts(asked)).toEqual(expectedTable(await sqlOf(asked)));
    // What was typed is left alone: the example was asked without touching the field.
    expect(await question().inputValue()).toBe('What is the weather in Paris?');
    expect(new URL(page.url()).pathname).toBe(conversationPath);
  });

  it('shows a conversation of questions the same after a reload', async () => {
    await page.reload();
    // It opens on the newest turn: the example asked, known from its record to be a question.
    const newest = card(lastRunId);
    await waitForText(newest.getByTestId('run-status'), 'completed');
    expect(await inView(newest, true)).toBe(true);
    expect(await newest.getAttribute('aria-label')).toMatch(/^Answer to /);
    await newest.getByTestId('answer').waitFor();
    expect(await newest.getByTestId('reading').count()).toBe(1);
    // From history there are no steps to show, only what came of them.
    expect(await newest.locator('details.stages-done').count()).toBe(0);
    expect(
      await page.getByTestId('refusal').last().locator('.unknown-word').allTextContents(),
    ).toEqual(['weather']);
  });
});
