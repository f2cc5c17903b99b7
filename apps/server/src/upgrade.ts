// Before a WebSocket upgrade is accepted: a Host the server does not answer to or a refused
// Origin gets 403, an address at its socket limit 429, each with an audit entry.
import type { Services } from '@querylane/api';
import type { VerifyClientCallbackAsync } from 'ws';
import { clientIp } from './connections.ts';
import type { HostPolicy } from './hosts.ts';
import type { AddressCounter } from './limits.ts';
import type { OriginPolicy } from './origins.ts';

export function createUpgradeCheck(deps: {
  hosts: HostPolicy;
  origins: OriginPolicy;
  addresses: AddressCounter;
  services: Pick<Services, 'audit'>;
}): VerifyClientCallbackAsync {
  const { hosts, origins, addresses, services } = deps;
  return (info, done) => {
    const ip = clientIp(info.req);
    const host = info.req.headers.host;
    if (!hosts.allows(host)) {
      services.audit.refused('host', { ip }, { target: 'upgrade', detail: { host: host ?? null } });
      done(false, 403, 'Host not allowed');
      return;
    }
    if (origins.check(info.req) === 'refused') {
      services.audit.refused('origin', { ip }, { detail: { origin: info.origin ?? null } });
      done(false, 403, 'Origin not allowed');
      return;
    }
    if (!addresses.admit(ip, info.req)) {
      services.audit.refused('connections_per_ip', { ip }, { detail: { max: addresses.max } });
      done(false, 429, 'Too many connections from this address');
      return;
    }
    done(true);
  };
}
