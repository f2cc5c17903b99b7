// Every HTTP request, in order: the Host check (421), security headers, GET /metrics, the
// server's own routes, then /trpc (methods tRPC serves, origins and CORS) or the SPA. Nothing here may throw into Node's
// request listener: an unexpected error is one 500, logged.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Services } from '@querylane/api';
import { clientIp } from './connections.ts';
import { setApiHeaders, setAppHeaders } from './headers.ts';
import type { HostPolicy } from './hosts.ts';
import { applyCors, type OriginPolicy } from './origins.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** A route of the server's own beside tRPC (GET /runs/<id>.csv): its match on a URL, and how it answers. */
export interface Route {
  match(url: string): string | null;
  serve(req: IncomingMessage, res: ServerResponse, matched: string): void;
}

// Methods a fetch Request cannot carry: tRPC's adapter would throw building one (a 500 and a
// logged stack for every such request); everything else gets tRPC's own METHOD_NOT_SUPPORTED.
const UNSERVABLE_METHODS = new Set(['TRACE', 'CONNECT']);

function plain(res: ServerResponse, status: number, text: string, headers = {}): void {
  res
    .writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers })
    .end(`${text}\n`);
}

export function createRequestHandler(deps: {
  hosts: HostPolicy;
  origins: OriginPolicy;
  services: Pick<Services, 'audit'>;
  trpc: Handler;
  metrics: Handler;
  /** Answered as API routes (their headers), after the Host check. */
  routes: readonly Route[];
  app: Handler;
  log: (message: string, err?: unknown) => void;
}): (req: IncomingMessage, res: ServerResponse) => void {
  const { hosts, origins, services, log } = deps;

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const host = req.headers.host;
    if (!hosts.allows(host)) {
      services.audit.refused(
        'host',
        { ip: clientIp(req) },
        { target: 'request', detail: { host: host ?? null } },
      );
      plain(res, 421, 'This server does not answer to that host name.');
      return;
    }
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === '/metrics') {
      setApiHeaders(res);
      await deps.metrics(req, res);
      return;
    }
    for (const route of deps.routes) {
      const matched = route.match(req.url ?? '/');
      if (matched === null) continue;
      setApiHeaders(res);
      route.serve(req, res, matched);
      return;
    }
    if (path !== '/trpc' && !path.startsWith('/trpc/')) {
      setAppHeaders(res);
      await deps.app(req, res);
      return;
    }
    setApiHeaders(res);
    if (UNSERVABLE_METHODS.has(req.method ?? '')) {
      plain(res, 405, 'Method not allowed.', { allow: 'GET, POST, OPTIONS' });
      return;
    }
    const verdict = origins.check(req);
    if (verdict === 'refused') {
      services.audit.refused(
        'origin',
        { ip: clientIp(req) },
        { detail: { origin: req.headers.origin ?? null } },
      );
      plain(res, 403, 'Origin not allowed');
      return;
    }
    if (verdict === 'cross' && applyCors(req, res)) return;
    await deps.trpc(req, res);
  };

  return (req, res) => {
    route(req, res).catch((err: unknown) => {
      log(`${req.method} ${req.url} failed`, err);
      if (!res.headersSent) plain(res, 500, 'Internal error.');
      else res.destroy();
    });
  };
}
