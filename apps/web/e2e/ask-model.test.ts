// A question the offline translator cannot read, answered through a model, watched in Chromium:
// the model endpoint is a scripted OpenAI-compatible server (a real HTTP server streaming chat
// completions) that the real server reaches through the `openai` client. Its first query names
// a column that does not exist and its first answer a wrong number, each streamed slowly, so
// the card shows every stage live: the validate retry with the nearest real column, the answer
// growing, started over when review sends it back, and the final answer rendered and sanitised.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ScriptedModel,
  type ScriptedReply,
  type ScriptedRequest,
  startScriptedModel,
} from '@querylane/engine/testing';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  assertFreshBuild,
  launchChromium,
  runSql,
  type ServerProcess,
  startServer,
  waitForText,
} from './harness.ts';

// Offline, "doing" is not a word the shop's model knows: this one goes to the model.
const QUESTION = 'How is the web channel doing?';
const BAD_SQL = 'SELECT count(*) AS orders FROM orders o WHERE o.sales_channel = 1';
const GOOD_SQL =
  "SELECT o.channel, count(*) AS orders FROM orders o WHERE o.channel = 'web' GROUP BY o.channel";
// Slow enough that each piece is its own `answer` event (they are coalesced over 100 ms).
const SLOW = { chunks: 5, delayMs: 250 };
const WRONG = 'Orders on the web channel: 12 in all, a quiet channel.';

const isSql = (r: ScriptedRequest) =>
  r.messages[0]?.content.startsWith('You translate questions') === true;
const sqlReply = (sql: string): ScriptedReply => ({
  text: `Reading: web orders\n\`\`\`sql\n${sql}\n\`\`\``,
  ...SLOW,
});

describe('a question answered through a model', () => {
  let dataDir: string;
  let model: ScriptedModel | undefined;
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let webOrders: number;
  let right = '';
  const pageErrors: string[] = [];

  beforeAll(async () => {
    assertFreshBuild();
    let sql = 0;
    let answers = 0;
    model = await startScriptedModel((r) => {
      if (isSql(r)) return sqlReply(sql++ === 0 ? BAD_SQL : GOOD_SQL);
      if (answers++ === 0) return { text: WRONG, ...SLOW };
      // The right answer states the count the model was shown, in markdown, with HTML and a
      // script link a model could be talked into writing.
      const n = Number(/\| web \| (\d+) \|/.exec(r.messages[1]?.content ?? '')?.[1]);
      right = `The **web** channel has ${n.toLocaleString('en-US')} orders.\n\n- counted over every order <img src=x onerror="window.__pwned=true"> [see why](javascript:window.__pwned=true)\n`;
      return { text: right, ...SLOW };
    });
    dataDir = mkdtempSync(join(tmpdir(), 'querylane-e2e-ask-model-'));
    server = await startServer(dataDir, 0, {
      QUERYLANE_MODEL_URL: model.url,
      QUERYLANE_MODEL: 'scripted',
      QUERYLANE_MODEL_SEND_ROWS: '5',
    });
    const db = new Database(join(dataDir, 'shop.db'), { readonly: true, fileMustExist: true });
    try {
      webOrders = db
        .prepare("SELECT count(*) FROM orders WHERE channel = 'web'")
        .pluck()
        .get() as number;
    } finally {
      db.close();
    }
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    // What the card shows while the run goes: each step (`stage:state`), each retry line with
    // the run's status when it appeared, and each text the answer had.
    await context.addInitScript(() => {
      const w = window as unknown as {
        __stages: string[];
        __retries: string[];
        __answers: string[];
      };
      w.__stages = [];
      w.__retries = [];
      w.__answers = [];
      new MutationObserver(() => {
        // The newest card's: it is the last in the thread.
        const status = Array.from(document.querySelectorAll('[data-testid="run-status"]')).at(
          -1,
        )?.textContent;
        for (const el of document.querySelectorAll('ol[data-testid="stages"] > li')) {
          const step = `${el.getAttribute('data-stage')}:${el.getAttribute('data-state')}`;
          if (!w.__stages.includes(step)) w.__stages.push(step);
        }
        for (const el of document.querySelectorAll('[data-testid="stage-retry"]')) {
          const line = `${status} | ${el.textContent}`;
          if (!w.__retries.some((r) => r.endsWith(` | ${el.textContent}`))) w.__retries.push(line);
        }
        const answer = Array.from(document.querySelectorAll('.answer-text'))
          .at(-1)
          ?.textContent?.trim();
        if (answer && w.__answers.at(-1) !== answer) w.__answers.push(answer);
      }).observe(document, {
        subtree: true,
        childList: true,
        characterData: true,
        attributes: true,
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
    await server?.stop();
    await model?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows each stage and retry live, the answer growing and started over, then sanitised', async () => {
    await page.goto(server!.url);
    await waitForText(page.getByTestId('connection'), 'connected');
    // The thread is loaded before asking (with SQL: with a model configured, every question's
    // answer is the model's, and the script has answers for one question only).
    await runSql(page, 'SELECT 1 AS one');
    await waitForText(page.getByTestId('run-status').first(), 'completed');
    await page.getByRole('radio', { name: 'Ask', exact: true }).check();

    await page.getByTestId('question-editor').fill(QUESTION);
    await page.getByTestId('question-editor').press('Enter');
    const card = page.getByTestId('run-card').nth(1);
    await waitForText(card.getByTestId('run-status'), 'completed', 60_000);
    const seen = await page.evaluate(() => {
      const w = window as unknown as {
        __stages: string[];
        __retries: string[];
        __answers: string[];
      };
      return { stages: w.__stages, retries: w.__retries, answers: w.__answers };
    });

    // The slow steps were each on screen as the current one.
    for (const step of ['generate:current', 'validate:current', 'interpret:current']) {
      expect(seen.stages).toContain(step);
    }
    // The made-up column came back with the nearest real one, shown while the run went on;
    // then review sent the wrong number back.
    expect(seen.retries[0]).toBe(
      'running | Validating — attempt 2 of 3: Table orders has no column sales_channel. Did you mean channel?',
    );
    expect(seen.retries[1]).toMatch(/^running \| Checking the answer — attempt 2 of 3: .*12/);
    expect(seen.retries).toHaveLength(2);
    const retry = card.getByTestId('stage-retry').first();
    expect(await retry.locator('code').allTextContents()).toEqual([
      'orders',
      'sales_channel',
      'channel',
    ]);

    // The first answer grew piece by piece, then the second replaced it (not appended to it).
    const growing = seen.answers.filter((a) => WRONG.startsWith(a));
    expect(growing.length).toBeGreaterThanOrEqual(3);
    expect(growing.at(-1)).toBe(WRONG);
    const after = seen.answers.slice(seen.answers.indexOf(WRONG) + 1);
    expect(after.length).toBeGreaterThanOrEqual(2);
    expect(after.every((a) => !a.includes(WRONG))).toBe(true);

    // The final answer: markdown rendered, the right count, the HTML shown as text, no script.
    const answer = card.getByTestId('answer');
    const count = webOrders.toLocaleString('en-US');
    expect(await answer.locator('p').first().textContent()).toBe(
      `The web channel has ${count} orders.`,
    );
    expect(await answer.locator('strong').allTextContents()).toEqual(['web']);
    expect(await answer.locator('li').textContent()).toBe(
      'counted over every order <img src=x onerror="window.__pwned=true"> see why',
    );
    expect(await answer.locator('img, script, [onerror]').count()).toBe(0);
    const links = answer.locator('a');
    expect(await links.count()).toBe(1);
    expect(await links.getAttribute('href')).toBeNull();
    expect(await page.evaluate(() => 'pwned' in window || '__pwned' in window)).toBe(false);
    expect(await card.getByTestId('reading').textContent()).toBe(
      'How I read your question: web orders (the model wrote the query)',
    );
    expect(await card.getByTestId('sql-fold').locator('pre').textContent()).toBe(GOOD_SQL);
    expect(await card.locator('table.result-table tbody td').allTextContents()).toEqual([
      'web',
      String(webOrders),
    ]);
    expect(right).toContain(count);
  });
});
