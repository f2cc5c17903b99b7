// Which names the server answers to. A page on attacker.example whose DNS name is rebound to
// 127.0.0.1 reaches this server with `Host: attacker.example` (and a matching Origin), so the
// Host header itself is checked: loopback names, IP addresses (a rebinding page always has a
// DNS name), the configured hosts and the allowed origins' hosts; anything else is refused.
import { isIP } from 'node:net';

export class HostPolicy {
  readonly #any: boolean;
  readonly #exact = new Set<string>();
  /** `.example.com` entries: the domain and every subdomain. */
  readonly #suffixes: string[] = [];

  constructor(opts: { allowedHosts: readonly string[]; allowedOrigins: readonly string[] }) {
    this.#any = opts.allowedHosts.includes('*');
    for (const entry of opts.allowedHosts) {
      if (entry === '*') continue;
      const host = entry.trim().toLowerCase();
      if (host.startsWith('.')) this.#suffixes.push(host);
      else this.#exact.add(hostnameOf(host) ?? host);
    }
    for (const origin of opts.allowedOrigins) {
      if (origin === '*') continue;
      const host = hostnameOf(origin.replace(/^[a-z][a-z0-9+.-]*:\/\//i, ''));
      if (host) this.#exact.add(host);
    }
  }

  /** True when a request addressed to `host` (the Host header, port included) may be answered. */
  allows(host: string | undefined): boolean {
    // No browser leaves Host out, so a request without one is no rebinding page.
    if (host === undefined) return true;
    if (this.#any) return true;
    const name = hostnameOf(host);
    if (name === null) return false;
    if (name === 'localhost' || name.endsWith('.localhost')) return true;
    if (isIP(name.replace(/^\[|\]$/g, '')) !== 0) return true;
    if (this.#exact.has(name)) return true;
    return this.#suffixes.some((s) => name === s.slice(1) || name.endsWith(s));
  }
}

/** The lower-cased host name of `host[:port]`, IPv6 in brackets; null when it is not one. */
function hostnameOf(host: string): string | null {
  if (host === '' || /[\s/?#@\\]/.test(host)) return null;
  try {
    return new URL(`http://${host}`).hostname.replace(/\.$/, '');
  } catch {
    return null;
  }
}
