// Where a Querylane server's two endpoints live, given the address people know it by.
// HTTP and WebSocket share one origin and one path (`/trpc`).

export interface Endpoints {
  httpUrl: string;
  wsUrl: string;
}

/**
 * `http://host:3000` → `http://host:3000/trpc` and `ws://host:3000/trpc`; https gives wss.
 * A path is kept (a server behind a prefix), and a URL that already ends in /trpc is not doubled.
 */
export function endpointUrls(url: string): Endpoints {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`Not a URL: ${JSON.stringify(url)} (expected e.g. http://localhost:3000)`);
  }
  if (parsed.protocol === 'ws:' || parsed.protocol === 'wss:') {
    parsed.protocol = parsed.protocol === 'wss:' ? 'https:' : 'http:';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(`Querylane speaks http(s); got ${parsed.protocol} in ${url}`);
  }
  let path = parsed.pathname.replace(/\/+$/, '');
  if (!path.endsWith('/trpc')) path += '/trpc';
  const httpUrl = `${parsed.protocol}//${parsed.host}${path}`;
  const wsUrl = `${parsed.protocol === 'https:' ? 'wss:' : 'ws:'}//${parsed.host}${path}`;
  return { httpUrl, wsUrl };
}

const RETRY_BASE_MS = 250;
const RETRY_CAP_MS = 10_000;

/** Exponential backoff for reconnects, capped so a long outage still retries every 10 s. */
export function reconnectDelayMs(attemptIndex: number): number {
  return Math.min(RETRY_BASE_MS * 2 ** attemptIndex, RETRY_CAP_MS);
}
