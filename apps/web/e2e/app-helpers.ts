// What the browser test reads besides the page: a table's cells, the transient progress and
// connection states a page showed, and the expected rows straight from SQLite.
import Database from 'better-sqlite3';
import type { BrowserContext, Locator } from 'playwright-core';

export async function cellTexts(
  table: Locator,
  part: 'thead th' | 'tbody tr',
): Promise<string[][]> {
  return table
    .locator(part)
    .evaluateAll((els) =>
      els.map((el) =>
        el.tagName === 'TR'
          ? Array.from(el.querySelectorAll('td'), (td) => td.textContent ?? '')
          : [el.textContent ?? ''],
      ),
    );
}

export async function recordTransients(context: BrowserContext): Promise<void> {
  // Record every progress value the page ever renders: a fast run may show its bar only briefly,
  // too briefly for polling, but a MutationObserver sees each commit.
  // The same for the connection badge, whose 'reconnecting' may last only a moment.
  await context.addInitScript(() => {
    const seen: number[] = [];
    const connection: string[] = [];
    Object.assign(window, { __progress: seen, __connection: connection });
    new MutationObserver(() => {
      for (const el of document.querySelectorAll('[role="progressbar"]')) {
        const value = Number(el.getAttribute('aria-valuenow'));
        if (seen.at(-1) !== value) seen.push(value);
      }
      const status = document.querySelector('[data-testid="connection"]')?.textContent;
      if (status && connection.at(-1) !== status) connection.push(status);
    }).observe(document, {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
      attributeFilter: ['aria-valuenow', 'class'],
    });
  });
}

/** The (label, count) rows of `sql` on the SQLite file at `path`, every value as text. */
export function sqliteRows(path: string, sql: string): string[][] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare(sql).raw().all() as [string, number][];
    return rows.map(([category, n]) => [category, String(n)]);
  } finally {
    db.close();
  }
}
