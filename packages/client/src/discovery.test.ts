// Discovery: the client reads GET /.well-known/querylane, warns about a server of another
// version, and pings on the server's keep-alive schedule. Against the real server.
import { until } from '@querylane/runs/testing';
import { freshDataDir, removeDir, startTestServer } from '@querylane/server/test-harness';
import { startServerProcess } from '@querylane/server/testing';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createQuerylaneClient, type QuerylaneClient } from './client.ts';
import { compatibleVersions, discoveryUrl, parseDiscovery, versionWarning } from './discovery.ts';
import type { ServiceDiscovery } from './types.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function server(overrides: Parameters<typeof startTestServer>[0] = {}) {
  const s = await startTestServer(overrides);
  cleanups.push(
    () => removeDir(s.dataDir),
    () => s.close(),
  );
  return s;
}

/** `ws` that notes what it sent and received, and when: the client's keep-alive made visible. */
class RecordingSocket extends WebSocket {
  static last: RecordingSocket | undefined;
  readonly sent: { frame: string; at: number }[] = [];
  readonly received: string[] = [];
  lastReceivedAt = 0;

  constructor(url: string, protocols?: string | string[]) {
    super(url, protocols);
    RecordingSocket.last = this;
    this.on('message', (data: Buffer) => {
      this.received.push(data.toString());
      this.lastReceivedAt = Date.now();
    });
    const send = this.send.bind(this) as (...args: unknown[]) => void;
    this.send = ((...args: unknown[]) => {
      this.sent.push({ frame: String(args[0]), at: Date.now() });
      send(...args);
    }) as WebSocket['send'];
  }
}

function client(url: string, onWarning?: (message: string) => void): QuerylaneClient {
  const c = createQuerylaneClient({ url, WebSocket: RecordingSocket, onWarning });
  cleanups.push(() => c.close());
  return c;
}

describe('discovery helpers', () => {
  it('finds the document next to /trpc, also under a path prefix', () => {
    expect(discoveryUrl('http://h:1/trpc')).toBe('http://h:1/.well-known/querylane');
    expect(discoveryUrl('https://h/q/trpc')).toBe('https://h/q/.well-known/querylane');
  });

  it('takes the same major version (and 0.x minor) as compatible', () => {
    expect(compatibleVersions('1.2.0', '1.9.3')).toBe(true);
    expect(compatibleVersions('1.2.0', '2.0.0')).toBe(false);
    expect(compatibleVersions('0.1.0', '0.1.7')).toBe(true);
    expect(compatibleVersions('0.1.0', '0.2.0')).toBe(false);
    expect(compatibleVersions('dev', 'dev')).toBe(true);
  });

  it('refuses what is not a discovery document', () => {
    expect(parseDiscovery({ service: 'other', version: '1.0.0' })).toBeNull();
    expect(parseDiscovery({ service: 'querylane', version: '1.0.0', limits: {} })).toBeNull();
    expect(parseDiscovery('<html>')).toBeNull();
    expect(parseDiscovery(null)).toBeNull();
  });
});

describe('a client reading discovery from the real server', () => {
  it('gets the same document as meta.config, and no warning from a server of its version', async () => {
    const s = await server();
    const warnings: string[] = [];
    const c = client(s.url, (m) => warnings.push(m));
    const doc = await c.discovery();
    expect(doc).toEqual(await c.trpc.meta.config.query());
    expect(doc?.version).toBe(s.services.version);
    expect(warnings).toEqual([]);
  });

  it('warns once, clearly, about a server of another version', async () => {
    const s = await server({ version: '7.0.0' });
    const warnings: string[] = [];
    const c = client(s.url, (m) => warnings.push(m));
    await until(() => expect(warnings).toHaveLength(1));
    expect(warnings[0]).toMatch(
      new RegExp(
        `^@querylane/client \\d+\\.\\d+\\.\\d+\\S* is talking to a Querylane server 7\\.0\\.0 at ${s.url}: `,
      ),
    );
    expect(warnings[0]).toContain('Install @querylane/client@7.0.0');
    // Asking again reads the same document; the warning is not repeated.
    expect((await c.discovery())?.version).toBe('7.0.0');
    expect(warnings).toHaveLength(1);
  });

  it('pings after the published silence once the server stops answering, and gives the socket up', async () => {
    // The server as its own process, so it can be frozen (SIGSTOP): a hung host, a half-open link.
    const dataDir = freshDataDir();
    const proc = await startServerProcess({
      dataDir,
      env: { QUERYLANE_WS_PING_MS: '300', QUERYLANE_WS_PONG_WAIT_MS: '300' },
    });
    cleanups.push(
      () => removeDir(dataDir),
      () => proc.stop(),
      () => void proc.child.kill('SIGCONT'),
    );
    const c = client(proc.url);
    const doc = (await c.discovery()) as ServiceDiscovery;
    // Quiet past the server's own ping and its wait: by then a live server would have pinged.
    expect(doc.limits.keepAlive).toEqual({ intervalMs: 600, pongTimeoutMs: 300 });
    await until(() => expect(RecordingSocket.last?.readyState).toBe(WebSocket.OPEN));
    const socket = RecordingSocket.last as RecordingSocket;
    await until(() => expect(socket.received).toContain('PING'));

    proc.child.kill('SIGSTOP');
    const stoppedAt = Date.now();
    await until(() => expect(socket.sent.some((f) => f.frame === 'PING')).toBe(true));
    const ping = socket.sent.find((f) => f.frame === 'PING');
    // Not before the published 600 ms of silence; long before the 10 s a client without
    // discovery would wait.
    expect((ping?.at ?? 0) - socket.lastReceivedAt).toBeGreaterThanOrEqual(600);
    expect((ping?.at ?? 0) - stoppedAt).toBeLessThan(10_000);
    // No pong comes: the client gives up on that socket (closing it; the close handshake itself
    // waits on the frozen peer, up to ws's own timeout).
    await until(() => expect(socket.readyState).toBe(WebSocket.CLOSING));
  });

  it('words the warning with both versions and the server address', () => {
    const doc = { version: '3.1.0' } as ServiceDiscovery;
    expect(versionWarning('2.9.0', doc, 'http://q.example')).toBe(
      '@querylane/client 2.9.0 is talking to a Querylane server 3.1.0 at http://q.example: ' +
        'procedures, events or limits may differ from what this client knows. ' +
        'Install @querylane/client@3.1.0 to match the server.',
    );
    expect(versionWarning('3.0.0', doc, 'http://q.example')).toBeNull();
  });
});
