// Reads a server's discovery document (GET /.well-known/querylane) and turns it into what the
// client needs: its keep-alive schedule, and a clear warning when the versions do not match.
import type { ServiceDiscovery } from './types.ts';

/** Used when a server publishes no document (one older than discovery, or unreachable now). */
export const fallbackKeepAlive = { intervalMs: 10_000, pongTimeoutMs: 4_000 } as const;

/** `http://host/prefix` → `http://host/prefix/.well-known/querylane` (next to its /trpc). */
export function discoveryUrl(httpUrl: string): string {
  return `${httpUrl.replace(/\/trpc$/, '')}/.well-known/querylane`;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

/** The document when it is one (what answered may be a proxy's error page); otherwise null. */
export function parseDiscovery(body: unknown): ServiceDiscovery | null {
  const doc = body as Partial<ServiceDiscovery> | null;
  if (doc?.service !== 'querylane' || typeof doc.version !== 'string') return null;
  const keepAlive = doc.limits?.keepAlive;
  if (!keepAlive || !isCount(keepAlive.intervalMs) || !isCount(keepAlive.pongTimeoutMs)) {
    return null;
  }
  return doc as ServiceDiscovery;
}

/** Fetches and parses the document; any failure (offline, 404, not JSON) is null, not an error. */
export async function fetchDiscovery(
  httpUrl: string,
  signal: AbortSignal,
): Promise<ServiceDiscovery | null> {
  try {
    const res = await fetch(discoveryUrl(httpUrl), {
      signal,
      headers: { accept: 'application/json' },
    });
    if (!res.ok) return null;
    return parseDiscovery(await res.json());
  } catch {
    return null;
  }
}

export function keepAliveFrom(doc: ServiceDiscovery | null): {
  intervalMs: number;
  pongTimeoutMs: number;
} {
  return doc ? { ...doc.limits.keepAlive } : { ...fallbackKeepAlive };
}

function parts(version: string): [number, number] | null {
  const m = /^(\d+)\.(\d+)\./.exec(version);
  return m ? [Number(m[1]), Number(m[2])] : null;
}

/** Same major version, and for 0.x the same minor: what semver promises to keep compatible. */
export function compatibleVersions(client: string, server: string): boolean {
  const a = parts(client);
  const b = parts(server);
  if (!a || !b) return client === server;
  return a[0] === b[0] && (a[0] !== 0 || a[1] === b[1]);
}

export function versionWarning(
  clientVersion: string,
  doc: ServiceDiscovery,
  url: string,
): string | null {
  if (compatibleVersions(clientVersion, doc.version)) return null;
  return (
    `@querylane/client ${clientVersion} is talking to a Querylane server ${doc.version} at ${url}: ` +
    'procedures, events or limits may differ from what this client knows. ' +
    `Install @querylane/client@${doc.version} to match the server.`
  );
}
