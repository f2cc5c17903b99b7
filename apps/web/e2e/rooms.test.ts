// Two people in two Chromium pages, each signed in with their own token, working in one room:
// Alice shares with Bob as editor; Bob opens it and Alice sees him; Alice types and Bob sees it;
// Alice runs a query and Bob watches it progress and finish; Bob comments and Alice reads it; Bob
// leaves and drops out of Alice's presence; Alice makes him a viewer and his run is refused.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  assertFreshBuild,
  launchChromium,
  runSql,
  type ServerProcess,
  sqlEditor,
  startServer,
  waitForText,
} from './harness.ts';

const ALICE = 'alice-room-e2e-3f9a1c7d5b';
const BOB = 'bob-room-e2e-8d2e6a0c4f';
// Long enough to be watched from the other page on a busy machine: a few seconds of work.
const SLOW_SQL = `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 20000000)
SELECT count(*) AS n FROM c`;

describe('a shared room in two browsers', () => {
  let dataDir: string;
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let alice: Page;
  let bob: Page;
  let roomUrl: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    assertFreshBuild();
    dataDir = mkdtempSync(join(tmpdir(), 'querylane-e2e-rooms-'));
    server = await startServer(dataDir, 0, {
      QUERYLANE_AUTH: 'token',
      QUERYLANE_TOKENS: `${ALICE}:alice,${BOB}:bob`,
      // A loaded machine must not turn the slow run into a TIMEOUT.
      QUERYLANE_QUERY_TIMEOUT_MS: '600000',
    });
    browser = await launchChromium();
    const open = async () => {
      const context = await browser!.newContext({ viewport: { width: 1360, height: 900 } });
      // Every run status and stage the page ever renders, in order: a MutationObserver sees
      // each commit, however briefly it shows.
      await context.addInitScript(() => {
        const seen: string[] = [];
        Object.assign(window, { __seen: seen });
        new MutationObserver(() => {
          const cards = document.querySelectorAll('[data-testid="run-card"]');
          const card = cards[cards.length - 1];
          const status = card?.getAttribute('data-status') ?? '';
          const stage = card?.querySelector('.stage')?.textContent ?? '';
          const entry = `${status}${stage ? `:${stage}` : ''}`;
          if (card && seen.at(-1) !== entry) seen.push(entry);
        }).observe(document, {
          subtree: true,
          childList: true,
          attributes: true,
          characterData: true,
        });
      });
      const page = await context.newPage();
      page.setDefaultTimeout(60_000);
      page.on('pageerror', (err) => pageErrors.push(err.message));
      return page;
    };
    alice = await open();
    bob = await open();
  });

  afterEach(() => {
    expect(pageErrors, 'uncaught errors in the pages').toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function signIn(page: Page, token: string, name: string) {
    await page.goto(server!.url);
    await page.getByLabel('Access token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await waitForText(page.getByTestId('user-name'), name);
  }

  const presence = (page: Page) =>
    page
      .getByTestId('presence-user')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-user')));

  async function share(userId: string, role: 'editor' | 'viewer') {
    await alice.getByTestId('share-button').click();
    const dialog = alice.getByTestId('share-dialog');
    await dialog.getByTestId('share-user').fill(userId);
    await dialog.getByTestId('share-role').selectOption(role);
    await dialog.getByTestId('share-invite').click();
    await dialog.locator(`[data-testid="member"][data-user="${userId}"]`).waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
  }

  it('lets Alice share with Bob as editor, and shows her Bob once he opens it', async () => {
    await signIn(alice, ALICE, 'alice');
    await runSql(alice, 'SELECT 1 AS one');
    await waitForText(alice.getByTestId('run-card').first().getByTestId('run-status'), 'completed');
    roomUrl = alice.url();
    await waitForText(alice.getByTestId('share-button'), 'Share');
    await share('bob', 'editor');
    await waitForText(alice.getByTestId('share-button'), 'Shared · 1');
    expect(await presence(alice)).toEqual(['alice']);

    await signIn(bob, BOB, 'bob');
    await bob.getByTestId('shared-from').filter({ hasText: 'alice · editor' }).click();
    await bob.waitForURL(roomUrl);
    await waitForText(bob.getByTestId('room-role'), 'editor');
    await alice.locator('[data-testid="presence-user"][data-user="bob"]').waitFor();
    expect(await presence(alice)).toEqual(['alice', 'bob']);
    expect(await presence(bob)).toEqual(['alice', 'bob']);
  });

  // A few seconds of work, which a loaded machine may stretch far: a long limit, no fixed wait.
  it('shows Bob that Alice is typing, clears it when she runs, and lets him watch her run', {
    timeout: 300_000,
  }, async () => {
    await bob.evaluate(() => {
      (window as unknown as { __seen: string[] }).__seen.length = 0;
    });
    const editor = await sqlEditor(alice);
    await editor.click();
    await editor.pressSequentially('SELECT', { delay: 30 });
    await waitForText(bob.getByTestId('typing-indicator'), 'alice is typing…');
    await editor.fill(SLOW_SQL);
    await editor.press('Control+Enter');
    // Sending stops the indicator (an empty line is not "visible", so poll its text).
    await expect
      .poll(() => bob.getByTestId('typing-indicator').textContent(), { timeout: 30_000 })
      .toBe('');
    const card = bob.getByTestId('run-card').nth(1);
    await waitForText(card.getByTestId('run-status'), 'completed', 240_000);
    await bob.getByTestId('asked-by').first().waitFor();
    expect(await card.locator('table.result-table tbody td').allTextContents()).toEqual([
      '20000000',
    ]);
    // Bob saw it run, stage by stage, before it completed.
    const seen = await bob.evaluate(() => (window as unknown as { __seen: string[] }).__seen);
    const running = seen.findIndex((s) => s.startsWith('running:'));
    expect(running, `statuses seen: ${seen.join(', ')}`).toBeGreaterThanOrEqual(0);
    expect(seen.slice(running)).toContain('running:execute');
    expect(seen.at(-1)).toBe('completed');
  });

  it('shows Alice the comment Bob posts, rendered as markdown', async () => {
    await bob.getByTestId('comment-input').fill('**Twenty million** — nice. <script>x()</script>');
    await bob.getByTestId('comment-post').click();
    const comment = alice.getByTestId('comment').filter({ hasText: 'Twenty million' });
    await comment.waitFor();
    expect(await comment.getAttribute('data-author')).toBe('bob');
    expect(await comment.locator('strong', { hasText: 'Twenty million' }).count()).toBe(1);
    expect(await comment.locator('script').count()).toBe(0);
    expect(await comment.locator('.markdown').textContent()).toBe('Twenty million — nice. x()');
  });

  it("drops Bob from Alice's presence when he leaves", async () => {
    await bob.getByTestId('share-button').click();
    await bob.getByTestId('leave-room').click();
    await bob.waitForURL((url) => url.pathname === '/');
    await alice
      .locator('[data-testid="presence-user"][data-user="bob"]')
      .waitFor({ state: 'detached' });
    expect(await presence(alice)).toEqual(['alice']);
    await waitForText(alice.getByTestId('share-button'), 'Share');
  });

  it("refuses Bob's run once Alice has made him a viewer", async () => {
    await share('bob', 'editor');
    await bob.goto(roomUrl);
    await waitForText(bob.getByTestId('room-role'), 'editor');
    await alice.getByTestId('share-button').click();
    await alice
      .locator('[data-testid="member"][data-user="bob"]')
      .getByTestId('member-role')
      .selectOption('viewer');
    await alice.getByTestId('share-dialog').getByRole('button', { name: 'Close' }).click();
    // The role changes live on Bob's page.
    await waitForText(bob.getByTestId('room-role'), 'viewer');
    await runSql(bob, 'SELECT 2 AS two');
    await waitForText(
      bob.getByRole('alert').filter({ hasText: 'Viewers' }),
      'Viewers cannot run queries in this conversation; ask its owner to make you an editor.',
    );
    expect(await bob.getByTestId('run-card').count()).toBe(2);
  });
});

describe('a room without sign-in', () => {
  it('says why sharing is off instead of offering it', async () => {
    assertFreshBuild();
    const dir = mkdtempSync(join(tmpdir(), 'querylane-e2e-rooms-none-'));
    const local = await startServer(dir, 0);
    const chromium = await launchChromium();
    try {
      const page = await chromium.newPage();
      page.setDefaultTimeout(60_000);
      await page.goto(local.url);
      await runSql(page, 'SELECT 1');
      await waitForText(page.getByTestId('run-status').first(), 'completed');
      await page.getByTestId('share-button').click();
      const reason = page.getByTestId('share-dialog').getByTestId('sharing-disabled');
      expect(await reason.textContent()).toMatch(
        /^Sharing needs sign-in: this server runs with QUERYLANE_AUTH=none/,
      );
      expect(await page.getByTestId('share-user').count()).toBe(0);
    } finally {
      await chromium.close();
      await local.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
