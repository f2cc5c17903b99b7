// GET /metrics: the Prometheus registry's text, for an admin's Bearer token only; refusals are
// audited like any other.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Services } from '@querylane/api';
import type { Registry } from 'prom-client';
import { type Authenticator, bearerToken } from './auth.ts';
import { clientIp } from './connections.ts';

export function createMetricsEndpoint(deps: {
  auth: Authenticator;
  services: Pick<Services, 'audit'>;
  registry: Registry;
}) {
  const { auth, services, registry } = deps;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const ip = clientIp(req);
    const result = await auth.authenticate(bearerToken(req));
    if (!result.ok) {
      services.audit.refused(
        'unauthorized',
        { ip },
        { target: 'GET /metrics', detail: { why: result.reason } },
      );
      res.writeHead(401, { 'www-authenticate': 'Bearer' }).end();
      return;
    }
    if (result.identity.role !== 'admin') {
      services.audit.refused(
        'forbidden',
        { userId: result.identity.userId, ip },
        { target: 'GET /metrics' },
      );
      res.writeHead(403).end();
      return;
    }
    const body = await registry.metrics();
    res.writeHead(200, { 'content-type': registry.contentType });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}
