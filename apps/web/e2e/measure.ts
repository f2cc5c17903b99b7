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

/**
 * Types `keys` characters into the focused-by-click `selector`, one at a time, and records for
 * each the time from the keydown event to the first moment after the next frame was painted (a
 * task posted from requestAnimationFrame runs after that frame). The first `warmup` are dropped.
 */
export async function keystrokeLatency(
  page: Page,
  selector: string,
  keys = 40,
  warmup = 5,
): Promise<Latency> {
  await page.evaluate(() => {
    const w = window as unknown as { __keyLatency?: number[] };
    if (w.__keyLatency) {
      w.__keyLatency.length = 0;
      return;
    }
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
  await page.locator(selector).click();
  const text = 'select category from products where x ';
  for (let i = 0; i < keys + warmup; i++) {
    await page.keyboard.type(text[i % text.length]!);
    await page.waitForFunction(
      (n) => ((window as unknown as { __keyLatency: number[] }).__keyLatency.length ?? 0) >= n,
      i + 1,
    );
  }
  const all = await page.evaluate(
    () => (window as unknown as { __keyLatency: number[] }).__keyLatency,
  );
  const samples = all.slice(warmup);
  const sorted = [...samples].sort((a, b) => a - b);
  return { samples, median: quantile(sorted, 0.5), p95: quantile(sorted, 0.95) };
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
