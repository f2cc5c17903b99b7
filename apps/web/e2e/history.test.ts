// A long history in Chromium: a 50-run conversation opens on its newest run with only a few runs
// in the DOM, and scrolls back to the first; the sidebar pages past 120 conversations as it is
// scrolled, finds conversations by title and by what was asked in them, and keeps pins first.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { QuerylaneClient } from '@querylane/client';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  assertFreshBuild,
  launchChromium,
  type ServerProcess,
  startServer,
  waitForText,
} from './harness.ts';
import { visibleRuns } from './measure.ts';
import { seedClient, seedConversation } from './seed.ts';

const MANY = 120;

describe('a long history in the browser', () => {
  let dataDir: string;
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let client: QuerylaneClient | undefined;
  let page: Page;
  let thread: { conversationId: string; runIds: string[] };
  const pageErrors: string[] = [];

  beforeAll(async () => {
    assertFreshBuild();
    dataDir = mkdtempSync(join(tmpdir(), 'querylane-e2e-history-'));
    // The seeding writes more than a person would in a minute (runs and conversations).
    server = await startServer(dataDir, 0, {
      QUERYLANE_RUNS_PER_MINUTE: '10000',
      QUERYLANE_WRITES_PER_MINUTE: '10000',
    });
    client = seedClient(server.url);
    for (let i = 1; i <= MANY; i++) {
      await client.trpc.conversations.create.mutate({ title: `Weekly report ${i}` });
    }
    thread = await seedConversation(client, { title: 'Fifty runs', count: 50 });
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (err) => pageErrors.push(err.message));
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

  const items = () => page.getByTestId('conversation-item');

  it('opens a 50-run conversation on its newest run, with only a few runs in the DOM', async () => {
    await page.goto(`${server!.url}/c/${thread.conversationId}`);
    await waitForText(page.getByTestId('connection'), 'connected');
    const last = page.locator(`[data-run-id="${thread.runIds.at(-1)}"]`);
    await waitForText(last.getByTestId('run-status'), 'completed');
    await expect.poll(() => visibleRuns(page, thread.runIds)).toContain(50);
    const mounted = await page.getByTestId('run-card').count();
    expect(mounted).toBeGreaterThan(0);
    expect(mounted).toBeLessThan(10);
    // Every turn is in the feed's count, though only a few are in the DOM.
    expect(await page.getByRole('article').last().getAttribute('aria-setsize')).toBe('50');
    expect(await page.getByRole('article').last().getAttribute('aria-posinset')).toBe('50');

    // Back to the first run by scrolling.
    await page.getByTestId('thread').evaluate((el) => {
      el.scrollTop = 0;
    });
    const first = page.locator(`[data-run-id="${thread.runIds[0]}"]`);
    await waitForText(first.getByTestId('run-status'), 'completed');
    expect(await page.getByTestId('run-card').count()).toBeLessThan(10);
    expect(await last.count()).toBe(0);
  });

  it('pages the sidebar past any count as it scrolls', async () => {
    await items().first().waitFor();
    expect(await items().count()).toBe(50);
    const list = page.locator('nav.conversations');
    for (const expected of [100, MANY + 1]) {
      await list.evaluate((el) => {
        el.scrollTop = el.scrollHeight;
      });
      await expect.poll(() => items().count()).toBe(expected);
    }
    expect(await page.getByRole('button', { name: 'More conversations' }).count()).toBe(0);
    const titles = await page.locator('.conversation-title').allTextContents();
    expect(new Set(titles).size).toBe(MANY + 1);
    expect(titles[0]).toBe('Fifty runs');
    expect(titles.at(-1)).toBe('Weekly report 1');
  });

  it('searches titles and what was asked, and keeps pinned conversations first', async () => {
    const search = page.getByRole('searchbox', { name: 'Search conversations' });
    await search.fill('report 11');
    await expect
      .poll(() => page.locator('.conversation-title').allTextContents())
      .toEqual([
        'Weekly report 119',
        'Weekly report 118',
        'Weekly report 117',
        'Weekly report 116',
        'Weekly report 115',
        'Weekly report 114',
        'Weekly report 113',
        'Weekly report 112',
        'Weekly report 111',
        'Weekly report 110',
        'Weekly report 11',
      ]);
    // What was asked in a conversation finds it too (its title says nothing of it).
    await search.fill('AVG(SHARES)');
    await expect
      .poll(() => page.locator('.conversation-title').allTextContents())
      .toEqual(['Fifty runs']);
    await search.fill('no such thing anywhere');
    await waitForText(
      page.locator('nav.conversations [role="status"]'),
      'No conversation matches “no such thing anywhere”.',
    );
    await search.fill('');

    const target = items().filter({
      has: page.locator('.conversation-title', { hasText: /^Weekly report 7$/ }),
    });
    await target.getByRole('button', { name: 'Pin Weekly report 7' }).click();
    await expect
      .poll(() => page.locator('.conversation-title').first().textContent())
      .toContain('Weekly report 7');
    await page.reload();
    await items().first().waitFor();
    expect(await page.locator('.conversation-title').first().textContent()).toBe(
      '📌 Pinned: Weekly report 7',
    );
    expect(
      await items()
        .first()
        .getByRole('button', { name: 'Unpin Weekly report 7' })
        .getAttribute('aria-pressed'),
    ).toBe('true');
  });
});
