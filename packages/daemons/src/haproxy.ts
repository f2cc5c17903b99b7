// HAProxy from Debian's package in front of several Querylane nodes: round-robin HTTP, WebSocket
// upgrades tunnelled for as long as the socket lives, a health check per node, and a failed
// connection retried on another node, so a stopped or killed node is stepped around.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from './debian.ts';
import { freePort, waitForPort } from './ports.ts';
import { onExit } from './reaper.ts';

export interface Backend {
  name: string;
  port: number;
}

export interface HaproxyOptions {
  /** The nodes behind the balancer. */
  backends: Backend[];
  /** When set, WebSocket upgrades go only to these (the rest of the traffic to `backends`). */
  websocketBackends?: Backend[];
  port?: number;
  /** GET here answers 200 on a healthy node. */
  healthPath?: string;
  /** In a process group of its own, so a Ctrl+C meant for the parent does not reach it. */
  detached?: boolean;
}

export interface HaproxyServer {
  url: string;
  port: number;
  /** The servers every backend that lists them counts up now (health checks passed), by name. */
  up(): Promise<string[]>;
  /** The configuration it runs with (the README shows the same). */
  config: string;
  /** What it printed: alerts, and servers going down or up. */
  output(): string;
  stop(): Promise<void>;
}

const BINARY = '/usr/sbin/haproxy';

export function haproxyConfig(opts: HaproxyOptions & { port: number; statsPort?: number }): string {
  const health = opts.healthPath ?? '/trpc/health';
  const servers = (list: Backend[]) =>
    list.map((b) => `  server ${b.name} 127.0.0.1:${b.port} check`).join('\n');
  const backend = (name: string, list: Backend[]) =>
    [
      `backend ${name}`,
      '  balance roundrobin',
      `  option httpchk GET ${health}`,
      '  http-check expect status 200',
      // A node that refuses connections is caught at once (and the request retried elsewhere);
      // one that is merely slow to answer is given time before it is taken out.
      '  default-server inter 1s fall 2 rise 1',
      servers(list),
    ].join('\n');
  const ws = opts.websocketBackends;
  return [
    'global',
    '  log stderr format raw local0 notice',
    // Connections are bounded by the open-file limit it starts with (two descriptors each).
    '  maxconn 4000',
    'defaults',
    '  mode http',
    '  log global',
    '  timeout connect 2s',
    '  timeout check 5s',
    '  timeout client 60s',
    '  timeout server 60s',
    // A WebSocket is a tunnel once upgraded: it lives as long as the client keeps it.
    '  timeout tunnel 1h',
    '  timeout http-keep-alive 10s',
    // A node that refuses the connection (stopped, killed) is retried on another one.
    '  retries 3',
    '  option redispatch 1',
    'frontend querylane',
    `  bind 127.0.0.1:${opts.port}`,
    ...(ws
      ? ['  acl is_websocket hdr(upgrade) -i websocket', '  use_backend sockets if is_websocket']
      : []),
    '  default_backend nodes',
    backend('nodes', opts.backends),
    ...(ws ? [backend('sockets', ws)] : []),
    ...(opts.statsPort
      ? [
          'frontend stats',
          `  bind 127.0.0.1:${opts.statsPort}`,
          '  stats enable',
          '  stats uri /stats',
        ]
      : []),
    '',
  ].join('\n');
}

/**
 * The servers of HAProxy's CSV stats (proxy, server, …, status in column 18) that are up in
 * every backend listing them. Each backend (HTTP, WebSocket) runs its own checks, so for a
 * moment one can count a node up while the other still sends its clients elsewhere.
 */
export function upServers(csv: string): string[] {
  const servers = csv
    .split('\n')
    .map((line) => line.split(','))
    .filter((f) => f[1] && !['FRONTEND', 'BACKEND', 'svname'].includes(f[1]));
  const down = new Set(servers.filter((f) => !f[17]?.startsWith('UP')).map((f) => f[1]));
  return [...new Set(servers.map((f) => f[1] as string))].filter((name) => !down.has(name));
}

export async function startHaproxy(opts: HaproxyOptions): Promise<HaproxyServer> {
  const bin = requireBinary(BINARY, 'HAProxy', 'haproxy');
  const port = opts.port ?? (await freePort());
  const statsPort = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'querylane-haproxy-'));
  const config = haproxyConfig({ ...opts, port, statsPort });
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, config);
  let output = '';
  const child: ChildProcess = spawn(bin, ['-f', file, '-db'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await exited;
  };
  const unregister = onExit(() => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  try {
    await Promise.race([
      waitForPort(port, 30_000, 'haproxy'),
      exited.then(() => {
        throw new Error(`haproxy exited at start:\n${output}`);
      }),
    ]);
  } catch (err) {
    unregister();
    await kill();
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`Could not start HAProxy: ${(err as Error).message}`);
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    config,
    output: () => output,
    async up() {
      // The stats page as CSV: proxy name, server name, …, status (UP, DOWN, …) in column 18.
      return upServers(await (await fetch(`http://127.0.0.1:${statsPort}/stats;csv`)).text());
    },
    async stop() {
      unregister();
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
