// The hostile-client suite, part four: the smaller openings. Methods fetch cannot carry, source
// maps, symlinks out of the web root, the headers of API and app answers, and the history store
// offered as a dataset. Against the real server process.
import {
  linkSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { freshDataDir, removeDir } from '../harness.ts';
import { startServerProcess } from '../process.ts';
import { onCleanup } from '../scope.ts';
import { expectSurvived, HOSTILE_TIMEOUT_MS, hostileTarget } from './expect.ts';
import { pause, type RawResponse, rawHttp, siege } from './kit.ts';

const SECRET = 'not-for-the-web-9f2c';

/** A built-looking web root with a map, and symlinks that point out of it. */
function webRoot(): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'querylane-web-')));
  onCleanup(() => removeDir(dir));
  const root = join(dir, 'dist');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Querylane</title>');
  writeFileSync(
    join(root, 'assets', 'app-1a2b.js'),
    'console.log(1);\n//# sourceMappingURL=app-1a2b.js.map',
  );
  writeFileSync(join(root, 'assets', 'app-1a2b.js.map'), '{"sources":["secret.ts"]}');
  writeFileSync(join(dir, 'secret.txt'), SECRET);
  symlinkSync(join(dir, 'secret.txt'), join(root, 'assets', 'leak.js'));
  symlinkSync(dir, join(root, 'up'));
  return root;
}

it(
  'TRACE, source maps, symlinks out of the root and missing headers: none gets through',
  async () => {
    const target = await hostileTarget({ QUERYLANE_WEB_DIST: webRoot() });
    const seen: Record<string, RawResponse[]> = { trace: [], map: [], leak: [], up: [] };
    const attack = await siege(target, 3, async (signal, begun) => {
      while (!signal.aborted) {
        const trace = rawHttp(target.url, { method: 'TRACE', path: '/trpc/health' });
        begun();
        seen.trace?.push(await trace);
        seen.map?.push(await rawHttp(target.url, { path: '/assets/app-1a2b.js.map' }));
        seen.leak?.push(await rawHttp(target.url, { path: '/assets/leak.js' }));
        seen.up?.push(await rawHttp(target.url, { path: '/up/secret.txt' }));
        await pause(20, signal);
      }
    });
    await expectSurvived(target, attack);

    for (const res of seen.trace ?? []) expect(res.status).toBe(405);
    for (const res of seen.map ?? []) expect(res.status).toBe(404);
    // A path through a symlink out of the root is like any unknown path: the app's index page.
    for (const res of [...(seen.leak ?? []), ...(seen.up ?? [])]) {
      expect(res.status).toBe(200);
      expect(res.body).not.toContain(SECRET);
      expect(res.body).toContain('<title>Querylane</title>');
    }
    expect(target.server.output()).not.toMatch(/TRACE|failed/);

    const api = await rawHttp(target.url, { path: '/trpc/health' });
    expect(api.headers).toMatchObject({
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    });
    const app = await rawHttp(target.url, { path: '/' });
    expect(app.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(app.headers['content-security-policy']).toContain("script-src 'self'");
    expect(app.headers['x-frame-options']).toBe('DENY');
    expect(app.headers['x-content-type-options']).toBe('nosniff');
    const asset = await rawHttp(target.url, { path: '/assets/app-1a2b.js' });
    expect(asset.status).toBe(200);
    expect(asset.body).toContain('console.log(1);');
  },
  HOSTILE_TIMEOUT_MS,
);

it(
  'refuses to start with the history store as a dataset, by its path, a symlink or a hard link',
  async () => {
    const target = await hostileTarget();
    await target.server.stop();
    const store = join(target.dataDir, 'querylane.db');
    const links = realpathSync(mkdtempSync(join(tmpdir(), 'querylane-links-')));
    onCleanup(() => removeDir(links));
    symlinkSync(store, join(links, 'soft.db'));
    linkSync(store, join(links, 'hard.db'));
    for (const path of [store, join(links, 'soft.db'), join(links, 'hard.db')]) {
      await expect(
        startServerProcess({
          dataDir: target.dataDir,
          env: { QUERYLANE_DATASETS: `hist=${path}` },
        }),
      ).rejects.toThrow(/Cannot open dataset "hist" .*reserved by the server/);
    }
    // Its WAL is no database at all; before the store exists there is no file to open.
    const fresh = freshDataDir();
    onCleanup(() => removeDir(fresh));
    for (const [dataDir, path] of [
      [target.dataDir, `${store}-wal`],
      [fresh, join(fresh, 'querylane.db')],
    ] as const) {
      await expect(
        startServerProcess({ dataDir, env: { QUERYLANE_DATASETS: `hist=${path}` } }),
      ).rejects.toThrow(/Cannot open dataset "hist"/);
    }
  },
  HOSTILE_TIMEOUT_MS,
);
