// Measures, in Chromium on loopback, the time from one person's keystroke in a shared room to the
// other person's "… is typing…" on screen: the keydown in page A and the indicator's paint in page
// B, both on the machine's clock. Prints each sample and the median; asserts nothing.
// Run: `npm run build -w @querylane/web && npm run measure:typing -w @querylane/web`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import {
  assertFreshBuild,
  launchChromium,
  runSql,
  sqlEditor,
  startServer,
  waitForText,
} from './harness.ts';

const SAMPLES = Number(process.env.SAMPLES ?? 15);
const A = 'alice-typing-measure-1c5e9a';
const B = 'bob-typing-measure-7f3b2d';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? Number.NaN) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

assertFreshBuild();
const dataDir = mkdtempSync(join(tmpdir(), 'querylane-typing-'));
const server = await startServer(dataDir, 0, {
  QUERYLANE_AUTH: 'token',
  QUERYLANE_TOKENS: `${A}:alice,${B}:bob`,
});
const browser = await launchChromium();
try {
  const open = async (token: string, name: string): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    await page.goto(server.url);
    await page.getByLabel('Access token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await waitForText(page.getByTestId('user-name'), name);
    return page;
  };
  const alice = await open(A, 'alice');
  await runSql(alice, 'SELECT 1');
  // Typed in the SQL editor, as the figure was first measured.
  const editor = await sqlEditor(alice);
  await waitForText(alice.getByTestId('run-status').first(), 'completed');
  await alice.getByTestId('share-button').click();
  await alice.getByTestId('share-user').fill('bob');
  await alice.getByTestId('share-invite').click();
  await alice.locator('[data-testid="member"][data-user="bob"]').waitFor();
  await alice.getByTestId('share-dialog').getByRole('button', { name: 'Close' }).click();
  const room = alice.url();

  const bob = await open(B, 'bob');
  await bob.goto(room);
  await alice.locator('[data-testid="presence-user"][data-user="bob"]').waitFor();

  // Keydowns in A, and each time B's indicator starts saying "alice is typing…", on the
  // machine's clock (timeOrigin + now), which both pages share.
  await alice.evaluate(() => {
    const keys: number[] = [];
    Object.assign(window, { __keys: keys });
    document.addEventListener(
      'keydown',
      () => keys.push(performance.timeOrigin + performance.now()),
      true,
    );
  });
  await bob.evaluate(() => {
    const shown: number[] = [];
    Object.assign(window, { __shown: shown });
    let showing = false;
    new MutationObserver(() => {
      const now =
        document.querySelector('[data-testid="typing-indicator"]')?.textContent ===
        'alice is typing…';
      if (now && !showing) shown.push(performance.timeOrigin + performance.now());
      showing = now;
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });

  const samples: number[] = [];
  await editor.fill('');
  for (let i = 0; i < SAMPLES + 2; i++) {
    await editor.focus();
    await editor.press('x');
    await bob.waitForFunction(
      (n) => (window as unknown as { __shown: number[] }).__shown.length >= n,
      i + 1,
    );
    const key = await alice.evaluate(
      () => (window as unknown as { __keys: number[] }).__keys.at(-1) ?? 0,
    );
    const shown = await bob.evaluate(
      () => (window as unknown as { __shown: number[] }).__shown.at(-1) ?? 0,
    );
    if (i >= 2) samples.push(shown - key); // the first two warm the paths up
    // Emptying the editor stops the indicator; the server takes the next start 1.5 s later.
    await editor.press('Backspace');
    await bob.waitForFunction(
      () => document.querySelector('[data-testid="typing-indicator"]')?.textContent === '',
    );
    await alice.waitForTimeout(1_600);
  }
  console.log(
    `keystroke in one page → "… is typing…" in the other, ${samples.length} samples (ms):`,
  );
  console.log(samples.map((s) => s.toFixed(1)).join(', '));
  console.log(`median ${median(samples).toFixed(1)} ms`);
} finally {
  await browser.close();
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
