// What the browser tests share: the real server as a child process (fresh data dir, ephemeral
// port, any extra environment), a check that dist/ is current, and Debian's Chromium.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Locator } from 'playwright-core';

const webRoot = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const dist = join(webRoot, 'dist');
const serverMain = join(repoRoot, 'apps/server/src/main.ts');

export interface RunningServer {
  child: ChildProcess;
  baseUrl: string;
  output: () => string;
}

/** Starts `apps/server` as a child process and resolves once it prints its URL. */
export function startServer(
  dataDir: string,
  port = 0,
  env: Record<string, string> = {},
): Promise<RunningServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', serverMain], {
    cwd: repoRoot,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      QUERYLANE_DATA_DIR: dataDir,
      QUERYLANE_WEB_DIST: dist,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const output = () => log;
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
      if (match?.[1]) {
        child.stdout?.off('data', onData);
        child.stdout?.on('data', (c: Buffer) => {
          log += c.toString();
        });
        resolve({ child, baseUrl: match[1], output });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`server exited early (code ${code}, signal ${signal}):\n${log}`)),
    );
    child.once('error', reject);
  });
}

export async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
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
  const stale = newestSource(join(webRoot, 'src'));
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
