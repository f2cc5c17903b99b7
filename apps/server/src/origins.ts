// Which browser origins may call: the server's own always, the configured ones with CORS headers
// (and a preflight answer), any other refused. Requests without Origin are not from a browser.
import type { IncomingMessage, ServerResponse } from 'node:http';

export type OriginVerdict = 'ok' | 'cross' | 'refused';

export class OriginPolicy {
  readonly #allowed: Set<string>;
  readonly #any: boolean;

  constructor(allowed: readonly string[] = []) {
    this.#any = allowed.includes('*');
    this.#allowed = new Set(
      allowed
        .filter((o) => o !== '*')
        .map((o) => {
          try {
            return new URL(o).origin;
          } catch {
            throw new Error(`QUERYLANE_ALLOWED_ORIGINS: ${JSON.stringify(o)} is not an origin`);
          }
        }),
    );
  }

  /**
   * `ok` when allowed; `cross` when allowed from another origin (the response needs CORS). The
   * server's own origin is judged by the Host header, which the host check has vouched for.
   */
  check(req: IncomingMessage): OriginVerdict {
    const origin = req.headers.origin;
    if (origin === undefined) return 'ok';
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return 'refused'; // includes the literal "null" of sandboxed frames and file:// pages
    }
    if (url.host === req.headers.host) return 'ok';
    return this.#any || this.#allowed.has(url.origin) ? 'cross' : 'refused';
  }
}

/**
 * Adds the CORS headers of an allowed cross-origin call; answers its preflight. Returns true
 * when it answered.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse): boolean {
  res.setHeader('access-control-allow-origin', req.headers.origin ?? '');
  res.setHeader('vary', 'Origin');
  if (req.method !== 'OPTIONS') return false;
  res
    .writeHead(204, {
      'access-control-allow-methods': 'GET, POST, OPTIONS',
      'access-control-allow-headers':
        'authorization, content-type, trpc-accept, x-trpc-source, trpc-batch-mode',
      'access-control-max-age': '600',
    })
    .end();
  return true;
}
