// What the browser tests read off a conversation: a run's card (found by its run: the thread is
// virtualised), a result table as shown, the same query's rows from SQLite written the same way,
// and whether something is in the thread's visible box.
import type Database from 'better-sqlite3';
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { formatCell } from '../src/format.ts';

export const cardOf = (page: Page, runId: string): Locator =>
  page.locator(`[data-testid="run-card"][data-run-id="${runId}"]`);

/**
 * Does `act` (which starts a run) and returns the card of the run it started: cards are told
 * apart by their run, not by their place among those mounted.
 */
export async function startedCard(page: Page, act: () => Promise<void>): Promise<Locator> {
  const ids = () =>
    page
      .getByTestId('run-card')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-run-id') ?? ''));
  const before = new Set(await ids());
  await act();
  let runId: string | undefined;
  await expect
    .poll(async () => {
      runId = (await ids()).find((id) => !before.has(id));
      return runId;
    })
    .toBeDefined();
  return cardOf(page, runId!);
}

/** The cells of a card's result table as the page shows them, header first. */
export async function tableTexts(card: Locator): Promise<string[][]> {
  const table = card.locator('table.result-table');
  await table.waitFor();
  const head = await table.locator('thead th').allTextContents();
  const body = await table
    .locator('tbody tr')
    .evaluateAll((rows) =>
      rows.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent ?? '')),
    );
  return [head, ...body];
}

/** `sql` run on SQLite directly, header first, each cell written as the page writes it. */
export function sqliteTable(db: Database.Database, sql: string): string[][] {
  const stmt = db.prepare(sql);
  const names = stmt.columns().map((c) => c.name);
  const rows = stmt.raw().all() as unknown[][];
  return [names, ...rows.map((r) => r.map((v) => formatCell(v).text))];
}

/** Is the top of `el` inside the thread's visible box (or, `anywhere`, any part of it)? */
export async function inThreadView(page: Page, el: Locator, anywhere = false): Promise<boolean> {
  const thread = await page.getByTestId('thread').boundingBox();
  const box = await el.boundingBox();
  if (!thread || !box) return false;
  const bottom = thread.y + thread.height;
  if (anywhere) return box.y < bottom && box.y + box.height > thread.y;
  return box.y >= thread.y - 1 && box.y < bottom;
}
