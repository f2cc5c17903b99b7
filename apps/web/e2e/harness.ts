// What the browser tests share: the real server as a child process (fresh data dir, ephemeral
// port, any extra environment), a check that dist/ is current, and Debian's Chromium.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ServerProcess, startServerProcess } from '@querylane/server/testing';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';

const webRoot = fileURLToPath(new URL('..', import.meta.url));
const dist = join(webRoot, 'dist');

export type { ServerProcess };

/** Starts `apps/server` as a child process serving the built SPA; resolves once it listens. */
export function startServer(
  dataDir: string,
  port = 0,
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  return startServerProcess({ dataDir, port, env: { QUERYLANE_WEB_DIST: dist, ...env } });
}

/** The most recently changed file under `dir`, to catch a test run against an old build. */
function newestSource(dir: string): { path: string; mtimeMs: number } | undefined {
  let newest: { path: string; mtimeMs: number } | undefined;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || /\.test\.tsx?$/.test(entry.name)) continue;
    const path = join(entry.parentPath, entry.name);
    const { mtimeMs } = statSync(path);
    if (!newest || mtimeMs > newest.mtimeMs) newest = { path, mtimeMs };
  }
  return newest;
}

/** Throws unless dist/ was built after the last change to src/. */
export function assertFreshBuild(): void {
  if (!existsSync(join(dist, 'index.html'))) {
    throw new Error(
      `${join(dist, 'index.html')} is missing: build the SPA first ` +
        '(`npm run build -w @querylane/web`; `turbo run test` builds it before testing).',
    );
  }
  // The bundle holds the SPA's sources and the client package's (which builds its links).
  const stale = [join(webRoot, 'src'), join(webRoot, '../../packages/client/src')]
    .map(newestSource)
    .reduce((a, b) => ((b?.mtimeMs ?? 0) > (a?.mtimeMs ?? 0) ? b : a), undefined);
  if (stale && stale.mtimeMs > statSync(join(dist, 'index.html')).mtimeMs) {
    throw new Error(`dist/ is older than ${stale.path}: rebuild the SPA before testing it.`);
  }
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Playwright-core has no `expect`; this waits until the locator's text is exactly `text`. */
export async function waitForText(locator: Locator, text: string, timeout = 30_000): Promise<void> {
  await locator.filter({ hasText: new RegExp(`^\\s*${text}\\s*$`) }).waitFor({ timeout });
}

/**
 * The composer in SQL mode: switches to it (the composer asks in plain words by default) and
 * waits for CodeMirror, which loads as its own chunk. Returns its editable content.
 */
export async function sqlEditor(page: Page): Promise<Locator> {
  const radio = page.getByRole('radio', { name: 'SQL', exact: true });
  if (!(await radio.isChecked())) await radio.check();
  const editor = page.getByTestId('sql-editor');
  await editor.waitFor();
  return editor;
}

/** Writes `sql` in the SQL editor (replacing what was there) and runs it with Ctrl+Enter. */
export async function runSql(page: Page, sql: string): Promise<void> {
  const editor = await sqlEditor(page);
  await editor.fill(sql);
  await editor.press('Control+Enter');
}

/** The SQL editor's text, line by line, without its placeholder. */
export function sqlEditorText(page: Page): Promise<string> {
  return page.getByTestId('sql-editor').evaluate((content) =>
    Array.from(content.querySelectorAll('.cm-line'), (line) =>
      Array.from(line.childNodes)
        .filter((n) => !(n instanceof Element && n.classList.contains('cm-placeholder')))
        .map((n) => n.textContent ?? '')
        .join(''),
    ).join('\n'),
  );
}
