// The SPA against a server with token authentication, in Chromium: the sign-in screen refuses a
// wrong token and takes a right one, a user sees only their own work and not the admin page, and
// an admin watches live figures and the audit log and broadcasts a notice every tab shows.
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
  startServer,
  waitForText,
} from './harness.ts';

const ALICE = 'alice-e2e-7c1d9f3a5b2e';
const ROOT = 'root-e2e-4b8a2c6e0d1f';

describe('Querylane with sign-in', () => {
  let dataDir: string;
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let alice: Page;
  let root: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    assertFreshBuild();
    dataDir = mkdtempSync(join(tmpdir(), 'querylane-e2e-auth-'));
    server = await startServer(dataDir, 0, {
      QUERYLANE_AUTH: 'token',
      QUERYLANE_TOKENS: `${ALICE}:alice,${ROOT}:root:admin`,
    });
    browser = await launchChromium();
    // Two contexts: two separate tabs' worth of sessionStorage, two sockets.
    const open = async () => {
      const context = await browser!.newContext({ viewport: { width: 1360, height: 900 } });
      const page = await context.newPage();
      page.setDefaultTimeout(30_000);
      page.on('pageerror', (err) => pageErrors.push(err.message));
      return page;
    };
    alice = await open();
    root = await open();
  });

  afterEach(() => {
    expect(pageErrors, 'uncaught errors in the page').toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function signIn(page: Page, token: string) {
    const input = page.getByLabel('Access token');
    await input.fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  it('asks for a token, refuses a wrong one and shows the user once signed in', async () => {
    await alice.goto(server!.url);
    await alice.getByRole('heading', { name: 'Sign in to Querylane' }).waitFor();
    expect(await alice.getByTestId('question-editor').count()).toBe(0);

    await signIn(alice, 'not-the-token');
    await alice.getByTestId('sign-in-error').waitFor();
    await alice.getByRole('heading', { name: 'Sign in to Querylane' }).waitFor();

    await signIn(alice, ALICE);
    await waitForText(alice.getByTestId('user-name'), 'alice');
    await waitForText(alice.getByTestId('connection'), 'connected');
    expect(await alice.getByRole('link', { name: 'Admin' }).count()).toBe(0);

    // Signed in over both transports: the run starts over HTTP and streams over the socket.
    await runSql(alice, 'SELECT 6 * 7 AS answer');
    const card = alice.getByTestId('run-card').first();
    await waitForText(card.getByTestId('run-status'), 'completed');
    expect(await card.locator('table.result-table tbody td').allTextContents()).toEqual(['42']);

    // A reload keeps the session: the token lives in this tab's sessionStorage.
    await alice.reload();
    await waitForText(alice.getByTestId('user-name'), 'alice');
    await waitForText(alice.getByTestId('run-card').first().getByTestId('run-status'), 'completed');
  });

  it('keeps the admin page from a user', async () => {
    await alice.goto(`${server!.url}/admin`);
    await waitForText(alice.getByRole('alert'), 'Only admins may do this.');
    await alice.goto(server!.url);
    await waitForText(alice.getByTestId('user-name'), 'alice');
  });

  it('shows an admin live figures and the audit log, and broadcasts a banner to every tab', async () => {
    await root.goto(server!.url);
    await signIn(root, ROOT);
    await waitForText(root.getByTestId('user-name'), 'root');
    await root.getByRole('link', { name: 'Admin' }).click();
    await root.waitForURL((url) => url.pathname === '/admin');
    await root.getByTestId('admin-page').waitFor();

    // Alice's tab and this one: two sockets, two users, refreshed as they change.
    await waitForText(root.getByTestId('metric-connections'), '2');
    await waitForText(root.getByTestId('metric-users'), '2');
    const connections = root.getByTestId('connections');
    await connections.locator('tr', { hasText: 'alice' }).waitFor();
    await connections.locator('tr', { hasText: 'root' }).waitFor();
    // A server on its own is a cluster of one node, up, holding every connection.
    const node = root.getByTestId('node-row');
    await node.filter({ hasText: 'this one' }).filter({ hasText: 'up' }).waitFor();
    expect(await node.count()).toBe(1);
    const runs = root.getByTestId('runs-by-status');
    await waitForText(runs.locator('tr', { hasText: 'completed' }).locator('td'), '1');

    // The audit log has the wrong token and Alice's try at the admin page.
    const rows = root.getByTestId('audit-row');
    await rows.filter({ hasText: 'refused: unauthorized' }).first().waitFor();
    await rows
      .filter({ hasText: 'refused: forbidden' })
      .filter({ hasText: 'alice' })
      .first()
      .waitFor();
    await root.getByTestId('refusals').locator('tr', { hasText: 'forbidden' }).waitFor();
    // The live feed opens with what just happened: Alice's run, and her try at this page.
    const feed = root.getByTestId('activity');
    await feed.filter({ hasText: 'run completed' }).filter({ hasText: 'alice' }).first().waitFor();
    await feed
      .filter({ hasText: 'refused: forbidden' })
      .filter({ hasText: 'admin.' })
      .first()
      .waitFor();

    await root.getByLabel('Notice', { exact: true }).fill('Maintenance at six');
    await root.getByRole('button', { name: 'Send' }).click();
    await waitForText(root.getByTestId('broadcast-result'), 'Delivered to 2 clients.');
    for (const page of [alice, root]) {
      await waitForText(page.getByTestId('notice-message'), 'Maintenance at six');
    }
    await rows
      .filter({ hasText: 'admin_broadcast' })
      .filter({ hasText: 'Maintenance at six' })
      .waitFor();

    // Dismissed in one tab, still shown in the other.
    await alice.getByRole('button', { name: 'Dismiss notice' }).click();
    await alice.getByTestId('notice-banner').waitFor({ state: 'detached' });
    expect(await root.getByTestId('notice-banner').count()).toBe(1);
  });

  it('signs out back to the sign-in screen', async () => {
    await alice.getByRole('button', { name: 'Sign out' }).click();
    await alice.getByRole('heading', { name: 'Sign in to Querylane' }).waitFor();
    expect(await alice.getByTestId('sign-in-error').count()).toBe(0);
    await alice.reload();
    await alice.getByRole('heading', { name: 'Sign in to Querylane' }).waitFor();
  });
});
