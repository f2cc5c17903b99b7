// Prints the figures of issue 13 for the built app in Chromium: keystroke-to-paint in a 50-run
// conversation against an empty page (in the question field, and in the SQL editor), DOM nodes,
// where the conversation opens, JavaScript per route and axe counts per page (light and dark).
// Timing is printed, never asserted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { QuerylaneClient } from '@querylane/client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AxeSummary, runAxe, severe } from './axe.ts';
import {
  assertFreshBuild,
  launchChromium,
  type ServerProcess,
  sqlEditor,
  startServer,
  waitForText,
} from './harness.ts';
import {
  domNodes,
  kB,
  keystrokeLatency,
  type Latency,
  loadedScripts,
  type RouteBytes,
  settle,
  visibleRuns,
} from './measure.ts';
import { seedClient, seedConversation } from './seed.ts';

const ADMIN = 'root-measure-3f9c1a7e5d2b';
const RUNS = 50;
const QUESTION_FIELD = '[data-testid="question-editor"]';
const QUESTION_TEXT = 'revenue by channel in 2024 for web orders ';
const SQL_EDITOR = '[data-testid="sql-editor"]';

describe('measured in Chromium (printed)', () => {
  let dataDir: string;
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let client: QuerylaneClient | undefined;
  let signedIn: BrowserContext;
  let anonymous: BrowserContext;
  let thread: { conversationId: string; runIds: string[] };
  let big: { conversationId: string; runIds: string[] };
  let asked: { conversationId: string; runIds: string[] };
  const lines: string[] = [];

  beforeAll(async () => {
    assertFreshBuild();
    dataDir = mkdtempSync(join(tmpdir(), 'querylane-measure-'));
    server = await startServer(dataDir, 0, {
      QUERYLANE_AUTH: 'token',
      QUERYLANE_TOKENS: `${ADMIN}:root:admin`,
      QUERYLANE_RUNS_PER_MINUTE: '10000',
    });
    client = seedClient(server.url, ADMIN);
    thread = await seedConversation(client, { title: 'Fifty runs', count: RUNS });
    big = await seedConversation(client, {
      title: 'A thousand rows',
      count: 1,
      queries: ['SELECT * FROM order_items LIMIT 1000'],
    });
    asked = await seedConversation(client, {
      title: 'Questions',
      count: 3,
      questions: true,
      queries: ['Revenue by channel in 2024', 'and by category?', 'What is the weather in Paris?'],
    });
    browser = await launchChromium();
    const viewport = { width: 1360, height: 900 };
    signedIn = await browser.newContext({ viewport });
    await signedIn.addInitScript((token) => {
      window.sessionStorage.setItem('querylane.token', token);
    }, ADMIN);
    anonymous = await browser.newContext({ viewport });
  });

  afterAll(async () => {
    if (lines.length > 0) console.log(`\n${lines.join('\n')}\n`);
    await client?.close();
    await browser?.close();
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function open(context: BrowserContext, path: string): Promise<Page> {
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    await page.goto(`${server!.url}${path}`);
    return page;
  }

  const conversationUrl = (id: string) => `/c/${id}`;

  /** Opens the 50-run conversation and waits until every card has what it shows. */
  async function openThread(): Promise<Page> {
    const page = await open(signedIn, conversationUrl(thread.conversationId));
    await waitForText(page.getByTestId('connection'), 'connected');
    await page.getByTestId('run-card').first().waitFor();
    await page.waitForFunction(
      () =>
        !Array.from(document.querySelectorAll('[data-testid="run-status"]')).some(
          (el) => el.textContent === 'loading',
        ),
    );
    await settle(page);
    return page;
  }

  /**
   * Keystroke-to-paint on each page, alternating, with the CPU slowed `rate` times (1: as is),
   * in the question field (the default) or the SQL editor.
   */
  async function typing(pages: Page[], rate: number, sql = false): Promise<Latency[]> {
    const sessions = await Promise.all(pages.map((p) => p.context().newCDPSession(p)));
    for (const cdp of sessions) await cdp.send('Emulation.setCPUThrottlingRate', { rate });
    try {
      return sql
        ? await keystrokeLatency(pages, SQL_EDITOR)
        : await keystrokeLatency(pages, QUESTION_FIELD, { text: QUESTION_TEXT });
    } finally {
      for (const cdp of sessions) {
        await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
        await cdp.detach();
      }
    }
  }

  it('keystroke-to-paint, DOM nodes and landing in a 50-run conversation vs an empty page', async () => {
    const home = await open(signedIn, '/');
    await waitForText(home.getByTestId('connection'), 'connected');
    await settle(home);
    const homeNodes = await domNodes(home);
    const page = await openThread();
    const seen = await visibleRuns(page, thread.runIds);
    const threadNodes = await domNodes(page);
    const [empty, full] = await typing([home, page], 1);
    const [emptySlow, fullSlow] = await typing([home, page], 4);
    for (const p of [home, page]) await sqlEditor(p);
    const [emptySql, fullSql] = await typing([home, page], 1, true);
    await home.close();
    await page.close();

    const bigPage = await open(signedIn, conversationUrl(big.conversationId));
    await bigPage.getByTestId('row-count').waitFor();
    await settle(bigPage);
    const bigRows = await bigPage.locator('[data-testid="run-card"] tbody tr').count();
    const bigNodes = await domNodes(bigPage);
    await bigPage.close();

    const ms = (l: Latency) => `median ${l.median.toFixed(1)} ms, p95 ${l.p95.toFixed(1)} ms`;
    const ratio = (a: Latency, b: Latency) =>
      `${(a.median / b.median).toFixed(2)}× (p95 ${(a.p95 / b.p95).toFixed(2)}×)`;
    lines.push(
      '| figure | value |',
      '|---|---|',
      `| keystroke-to-paint, question field, empty home page (${empty!.samples.length} keys) | ${ms(empty!)} |`,
      `| keystroke-to-paint, question field, ${RUNS}-run conversation (${full!.samples.length} keys) | ${ms(full!)} |`,
      `| ratio (${RUNS} runs / empty) | ${ratio(full!, empty!)} |`,
      `| same, CPU slowed 4×: empty home page | ${ms(emptySlow!)} |`,
      `| same, CPU slowed 4×: ${RUNS}-run conversation | ${ms(fullSlow!)} |`,
      `| ratio, CPU slowed 4× | ${ratio(fullSlow!, emptySlow!)} |`,
      `| keystroke-to-paint, SQL editor (CodeMirror), empty home page | ${ms(emptySql!)} |`,
      `| keystroke-to-paint, SQL editor, ${RUNS}-run conversation | ${ms(fullSql!)} |`,
      `| ratio, SQL editor | ${ratio(fullSql!, emptySql!)} |`,
      `| DOM nodes, home | ${homeNodes} |`,
      `| DOM nodes, ${RUNS}-run conversation | ${threadNodes} |`,
      `| runs in view on opening (of ${RUNS}) | ${seen.join(', ') || 'none'} |`,
      `| table rows in the DOM, 1,000-row result | ${bigRows} |`,
      `| DOM nodes, 1,000-row result | ${bigNodes} |`,
    );
    for (const l of [empty, full, emptySlow, fullSlow, emptySql, fullSql]) {
      expect(l!.samples).toHaveLength(80);
    }
    // 3 × 2 × (4 rounds of 23 keys), each key waited for: minutes on a loaded machine.
  }, 450_000);

  it('JavaScript per route', async () => {
    const routes: [string, BrowserContext, string, (p: Page) => Promise<void>][] = [
      ['sign-in', anonymous, '/', (p) => p.getByLabel('Access token').waitFor()],
      ['home', signedIn, '/', (p) => p.getByTestId('question-editor').waitFor()],
      [
        'home, SQL mode',
        signedIn,
        '/',
        async (p) => {
          await sqlEditor(p);
        },
      ],
      [
        'conversation',
        signedIn,
        conversationUrl(thread.conversationId),
        (p) => p.getByTestId('run-card').first().waitFor(),
      ],
      [
        'conversation of questions',
        signedIn,
        conversationUrl(asked.conversationId),
        (p) => p.getByTestId('answer').first().waitFor(),
      ],
      ['admin', signedIn, '/admin', (p) => p.getByTestId('admin-page').waitFor()],
    ];
    const sizes: [string, RouteBytes][] = [];
    for (const [name, context, path, ready] of routes) {
      const page = await open(context, path);
      await ready(page);
      await settle(page);
      sizes.push([name, await loadedScripts(page)]);
      await page.close();
    }
    lines.push(
      '',
      '| route | JS files | raw | gzip |',
      '|---|---|---|---|',
      ...sizes.map(([n, s]) => `| ${n} | ${s.files.length} | ${kB(s.raw)} | ${kB(s.gzip)} |`),
    );
    for (const [, s] of sizes) expect(s.files.length).toBeGreaterThan(0);
  });

  it('axe violations per page, light and dark', async () => {
    const pages: [string, BrowserContext, string, (p: Page) => Promise<void>][] = [
      ['sign-in', anonymous, '/', (p) => p.getByLabel('Access token').waitFor()],
      ['home', signedIn, '/', (p) => waitForText(p.getByTestId('connection'), 'connected')],
      [
        'conversation',
        signedIn,
        conversationUrl(thread.conversationId),
        (p) => p.getByTestId('run-card').first().waitFor(),
      ],
      [
        'questions',
        signedIn,
        conversationUrl(asked.conversationId),
        (p) => p.getByTestId('example-question').first().waitFor(),
      ],
      ['admin', signedIn, '/admin', (p) => p.getByTestId('metric-connections').waitFor()],
    ];
    const rows: string[] = [];
    const details: string[] = [];
    for (const scheme of ['light', 'dark'] as const) {
      for (const [name, context, path, ready] of pages) {
        const page = await context.newPage();
        page.setDefaultTimeout(60_000);
        await page.emulateMedia({ colorScheme: scheme });
        await page.goto(`${server!.url}${path}`);
        await ready(page);
        await settle(page);
        const s: AxeSummary = await runAxe(page);
        const ids = s.violations.map((v) => `${v.id} (${v.impact})`).join(', ');
        for (const line of severe(s)) details.push(`${name} (${scheme}): ${line}`);
        rows.push(
          `| ${name} | ${scheme} | ${s.rules.critical} | ${s.rules.serious} | ${s.rules.moderate} | ${s.rules.minor} | ${ids || '—'} |`,
        );
        await page.close();
      }
    }
    lines.push(
      '',
      '| page | scheme | critical | serious | moderate | minor | rules (impact) |',
      '|---|---|---|---|---|---|---|',
      ...rows,
      ...(details.length > 0 ? ['', ...details] : []),
    );
    expect(rows).toHaveLength(10);
  });
});
