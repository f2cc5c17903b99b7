// Figures the web app is judged by, taken in Chromium: keystroke-to-paint in the editor, DOM size,
// where a conversation opens, and the JavaScript each route loads. Printed, never asserted on time.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';

const dist = fileURLToPath(new URL('../dist', import.meta.url));

export interface Latency {
  samples: number[];
  median: number;
  p95: number;
}

function quantile(sorted: number[], q: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

async function installProbe(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __keyLatency?: number[] };
    if (w.__keyLatency) return;
    const samples: number[] = [];
    w.__keyLatency = samples;
    window.addEventListener(
      'keydown',
      (e) => {
        const t0 = e.timeStamp;
        requestAnimationFrame(() => {
          const channel = new MessageChannel();
          channel.port1.onmessage = () => samples.push(performance.now() - t0);
          channel.port2.postMessage(null);
        });
      },
      { capture: true },
    );
  });
}

/** What `keystrokeLatency` types unless told otherwise: SQL, for the SQL editor. */
export const SQL_TEXT = 'select category from products where x ';

/** Types `keys` characters of `text` into `selector`, each waited for; returns the times. */
async function typeMeasured(
  page: Page,
  selector: string,
  keys: number,
  text: string,
): Promise<number[]> {
  await installProbe(page);
  await page.locator(selector).click();
  const start = await page.evaluate(
    () => (window as unknown as { __keyLatency: number[] }).__keyLatency.length,
  );
  for (let i = 0; i < keys; i++) {
    await page.keyboard.type(text[i % text.length]!);
    await page.waitForFunction(
      (n) => (window as unknown as { __keyLatency: number[] }).__keyLatency.length >= n,
      start + i + 1,
    );
  }
  const all = await page.evaluate(
    () => (window as unknown as { __keyLatency: number[] }).__keyLatency,
  );
  return all.slice(start);
}

function summarise(samples: number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  return { samples, median: quantile(sorted, 0.5), p95: quantile(sorted, 0.95) };
}

/**
 * Keystroke-to-paint on each page, in alternating rounds (page A, page B, page A, …) so that
 * whatever else the machine does at the time weighs on every page alike. For each keystroke: the
 * time from its keydown event to the first moment after the next frame was painted (a task
 * posted from requestAnimationFrame runs after that frame). A first round of `warmup` keys on
 * each page is dropped, and the first 3 keys after each switch of tab.
 */
export async function keystrokeLatency(
  pages: Page[],
  selector: string,
  opts: { rounds?: number; keys?: number; warmup?: number; text?: string } = {},
): Promise<Latency[]> {
  const { rounds = 4, keys = 20, warmup = 5, text = SQL_TEXT } = opts;
  const samples: number[][] = pages.map(() => []);
  for (const page of pages) {
    await page.bringToFront();
    await typeMeasured(page, selector, warmup, text);
  }
  for (let round = 0; round < rounds; round++) {
    for (const [i, page] of pages.entries()) {
      await page.bringToFront();
      // A tab brought back to the front repaints everything once: not what a keystroke costs.
      await typeMeasured(page, selector, 3, text);
      samples[i]!.push(...(await typeMeasured(page, selector, keys, text)));
      // The editor is emptied between rounds, so every round types into the same text.
      await page.locator(selector).fill('');
    }
  }
  return samples.map(summarise);
}

export function domNodes(page: Page): Promise<number> {
  return page.evaluate(() => document.getElementsByTagName('*').length);
}

/**
 * Waits until the page stops changing shape: the same element count and scroll position in
 * every scrollable box for `quietPolls` polls in a row.
 */
export async function settle(page: Page, quietPolls = 4): Promise<void> {
  let last = '';
  let quiet = 0;
  await page.waitForFunction(() => document.readyState === 'complete');
  while (quiet < quietPolls) {
    const now = await page.evaluate(() => {
      const boxes = Array.from(document.querySelectorAll('*')).filter(
        (el) =>
          el.scrollHeight > el.clientHeight + 1 && getComputedStyle(el).overflowY !== 'visible',
      );
      return [
        document.getElementsByTagName('*').length,
        ...boxes.map((el) => `${el.scrollTop}/${el.scrollHeight}`),
      ].join(',');
    });
    quiet = now === last ? quiet + 1 : 0;
    last = now;
    await page.waitForTimeout(150);
  }
}

/**
 * Which of `runIds` (oldest first) the reader sees after opening their conversation: the
 * 1-based positions of the run cards that intersect the visible part of the thread.
 */
export function visibleRuns(page: Page, runIds: string[]): Promise<number[]> {
  return page.evaluate((ids) => {
    const thread = document.querySelector('[data-testid="thread"]');
    if (!thread) return [];
    const view = thread.getBoundingClientRect();
    const shown: number[] = [];
    for (const card of document.querySelectorAll('[data-testid="run-card"]')) {
      const r = card.getBoundingClientRect();
      if (r.bottom > view.top && r.top < view.bottom) {
        const i = ids.indexOf(card.getAttribute('data-run-id') ?? '');
        if (i >= 0) shown.push(i + 1);
      }
    }
    return shown.sort((a, b) => a - b);
  }, runIds);
}

export interface RouteBytes {
  files: string[];
  raw: number;
  gzip: number;
}

/** The JavaScript files this document loaded from /assets, with their sizes on disk. */
export async function loadedScripts(page: Page): Promise<RouteBytes> {
  const urls = await page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .map((e) => e.name)
      .filter((name) => /\/assets\/[^/]+\.js$/.test(new URL(name).pathname)),
  );
  const files = [...new Set(urls.map((u) => new URL(u).pathname.slice(1)))].sort();
  let raw = 0;
  let gzip = 0;
  for (const file of files) {
    const bytes = readFileSync(join(dist, file));
    raw += bytes.byteLength;
    gzip += gzipSync(bytes).byteLength;
  }
  return { files, raw, gzip };
}

export const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;
