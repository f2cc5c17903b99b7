// Losing the server, in Chromium: a running card says the connection is lost and that it will
// resume; a run started while the socket is down waits and is sent once it is back; a start the
// server never got says so and can be sent again; an error goes away once it no longer applies.
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
  sqlEditorText,
  startServer,
  waitForText,
} from './harness.ts';

const ENDLESS =
  'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c';
const CATEGORIES = 'SELECT category, count(*) AS n FROM products GROUP BY category';

describe('when the connection goes', () => {
  let dataDir: string;
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    assertFreshBuild();
    dataDir = mkdtempSync(join(tmpdir(), 'querylane-e2e-offline-'));
    server = await startServer(dataDir);
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
    await browser?.close();
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const cardFor = (sql: string) =>
    page.locator('article', { has: page.locator('pre', { hasText: sql }) }).getByTestId('run-card');

  it('says a running card lost the connection, holds a start until the socket is back, then sends it', async () => {
    await page.goto(server!.url);
    const connection = page.getByTestId('connection');
    await waitForText(connection, 'connected');
    await runSql(page, ENDLESS);
    const running = cardFor(ENDLESS);
    await running.getByRole('progressbar').waitFor();
    expect(await running.getByTestId('connection-lost').count()).toBe(0);

    const port = Number(new URL(server!.url).port);
    // Killed, not stopped: a graceful stop would end the run first (as interrupted).
    await server!.crash();
    await waitForText(connection, 'reconnecting');
    await expect
      .poll(() => running.getByTestId('connection-lost').textContent())
      .toBe(
        'Connection lost. The run goes on on the server; this card resumes when the connection is back.',
      );

    // Started while offline: nothing is sent, the person is told so, the text stays.
    await runSql(page, CATEGORIES);
    await expect
      .poll(() => page.getByTestId('start-waiting').locator('p').textContent())
      .toBe('Not sent yet: the connection is down. Your query will be sent when it is back.');
    expect(await sqlEditorText(page)).toBe(CATEGORIES);
    expect(await cardFor(CATEGORIES).count()).toBe(0);

    server = await startServer(dataDir, port);
    await waitForText(connection, 'connected');
    // Sent by itself once the socket is back; the run it started completes.
    await waitForText(cardFor(CATEGORIES).getByTestId('run-status'), 'completed');
    expect(await page.getByTestId('start-waiting').count()).toBe(0);
    expect(await sqlEditorText(page)).toBe('');
    // The cut-off run ends interrupted, and stops saying the connection is lost.
    await waitForText(running.getByTestId('run-status'), 'interrupted');
    expect(await running.getByTestId('connection-lost').count()).toBe(0);
  });

  it('says clearly when the server never got a start, and sends it when asked', async () => {
    await page.route('**/trpc/runs.start**', (route) => route.abort('connectionrefused'));
    await runSql(page, 'SELECT 42 AS answer');
    await expect
      .poll(() => page.getByTestId('start-waiting').locator('p').textContent())
      .toBe(
        'Not sent: the server could not be reached. Your query will be sent when the connection is back.',
      );
    expect(await sqlEditorText(page)).toBe('SELECT 42 AS answer');
    await page.unroute('**/trpc/runs.start**');
    await page.getByRole('button', { name: 'Try now' }).click();
    await waitForText(cardFor('SELECT 42 AS answer').getByTestId('run-status'), 'completed');
    expect(await page.getByTestId('start-waiting').count()).toBe(0);

    // Don't send: the start is forgotten and the text stays for the person to change.
    await page.route('**/trpc/runs.start**', (route) => route.abort('connectionrefused'));
    await runSql(page, 'SELECT 7 AS seven');
    await page.getByTestId('start-waiting').waitFor();
    await page.getByRole('button', { name: 'Don’t send' }).click();
    expect(await page.getByTestId('start-waiting').count()).toBe(0);
    expect(await sqlEditorText(page)).toBe('SELECT 7 AS seven');
    await page.unroute('**/trpc/runs.start**');
  });

  it('clears an error once it no longer applies', async () => {
    // Into a conversation deleted behind this tab's back: the server refuses the start.
    const gone = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1) ?? '');
    const status = await page.evaluate(async (conversationId) => {
      const res = await fetch('/trpc/conversations.delete', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ json: { conversationId } }),
      });
      return res.status;
    }, gone);
    expect(status).toBe(200);
    await runSql(page, 'SELECT 1');
    await expect.poll(() => page.getByTestId('start-error').textContent()).toMatch(/not found/i);
    expect(await sqlEditorText(page)).toBe('SELECT 1');
    await (await sqlEditor(page)).press('End');
    await page.keyboard.type(' AS one');
    expect(await page.getByTestId('start-error').count()).toBe(0);
  });
});
