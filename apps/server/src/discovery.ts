// GET /.well-known/querylane: the discovery document (version, features, endpoints, limits) as
// JSON, readable from any origin and before signing in, like `meta.config` over tRPC.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { endpoints, type ServiceDiscovery } from '@querylane/api';
import type { Route } from './http.ts';

/** The discovery path as one of the server's own routes. */
export function createDiscoveryRoute(discovery: ServiceDiscovery): Route {
  return {
    match: (url) => ((url.split('?')[0] ?? '/') === endpoints.discovery ? url : null),
    serve(req: IncomingMessage, res: ServerResponse): void {
      // Public and without credentials: any page may read it, no preflight needed for a GET.
      res.setHeader('access-control-allow-origin', '*');
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      const body = JSON.stringify(discovery);
      res.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        // Revalidated on each use: a restarted server may come back with another version.
        'cache-control': 'no-cache',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    },
  };
}
