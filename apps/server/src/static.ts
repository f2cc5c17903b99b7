// Serves the built SPA: hashed assets cached for good, every other path falls back to index.html.
// Only files really inside the build folder are served (a symlink out of it is not followed),
// and never a source map: those would hand out the app's source.
import { createReadStream, existsSync, realpathSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const isInside = (dir: string, file: string) =>
  file === dir || file.startsWith(dir.endsWith(sep) ? dir : dir + sep);

/** The file's real path when it is a regular file inside `root` (symlinks resolved), else null. */
function servable(root: string, file: string): string | null {
  if (!isInside(root, file) || !existsSync(file)) return null;
  try {
    const real = realpathSync(file);
    if (!isInside(realpathSync(root), real) || !statSync(real).isFile()) return null;
    return real;
  } catch {
    return null;
  }
}

export function createStaticHandler(root: string) {
  const index = join(root, 'index.html');
  return (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (!existsSync(index)) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(
        'The web app is not built yet: run `npm run build` (or `npm start`, which builds it).\n',
      );
      return;
    }
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (pathname.endsWith('.map')) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found\n');
      return;
    }
    const found = servable(root, normalize(join(root, pathname)));
    const isFile = found !== null;
    const target = found ?? index;
    const hashed = isFile && pathname.startsWith('/assets/');
    res.writeHead(200, {
      'content-type': types[extname(target)] ?? 'application/octet-stream',
      'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    // A file removed or unreadable mid-request (a rebuild) must not become an unhandled error.
    createReadStream(target)
      .on('error', () => res.destroy())
      .pipe(res);
  };
}
