// What every hostile-client test (and the hostile bench) shares: the real server process with a
// witness run stored before the attack, a health probe on its own connections, an attack window
// held by the attacker's clock, and the checks that the server came through: still running, no
// bug marker in its log, the witness exactly as stored before.
import { request } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { RunEventOutput } from '@querylane/api';
import { BUG_MARKER } from '../../last-resort.ts';
import {
  createTestClient,
  freshDataDir,
  removeDir,
  subscribeAll,
  type TestClient,
} from '../harness.ts';
import { type ServerProcess, startServerProcess } from '../process.ts';

export interface Target {
  server: ServerProcess;
  url: string;
  dataDir: string;
  client: TestClient;
  /** A run completed before any attack; afterwards its events must read back the same. */
  witness: { runId: string; conversationId: string; events: RunEventOutput[] };
  stop(): Promise<void>;
}

/** The server as its own process, over a fresh data dir, with a completed witness run. */
export async function startTarget(env: Record<string, string> = {}): Promise<Target> {
  const dataDir = freshDataDir();
  const server = await startServerProcess({
    dataDir,
    env: { QUERYLANE_QUERY_TIMEOUT_MS: '120000', ...env },
  }).catch((err: unknown) => {
    removeDir(dataDir);
    throw err;
  });
  const client = createTestClient(server.url);
  const { runId, conversationId } = await client.trpc.runs.start.mutate({
    query: 'SELECT category, count(*) AS n FROM products GROUP BY category ORDER BY category',
  });
  const events = await subscribeAll(client.trpc, runId);
  return {
    server,
    url: server.url,
    dataDir,
    client,
    witness: { runId, conversationId, events },
    async stop() {
      client.close();
      await server.stop();
      removeDir(dataDir);
    },
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request on its own connection, any method and any Host header (fetch allows neither). */
export function rawHttp(
  url: string,
  opts: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: hostname,
        port,
        method: opts.method ?? 'GET',
        path: opts.path,
        headers: opts.headers,
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

export interface HealthSample {
  sentAt: number;
  answeredAt: number;
  ok: boolean;
}

/** GET /trpc/health one after another, each on a fresh connection, until `signal` aborts. */
async function probeHealth(url: string, signal: AbortSignal): Promise<HealthSample[]> {
  const samples: HealthSample[] = [];
  while (!signal.aborted) {
    const sentAt = performance.now();
    const ok = await rawHttp(url, { path: '/trpc/health' }).then(
      (res) => res.status === 200,
      () => false,
    );
    samples.push({ sentAt, answeredAt: performance.now(), ok });
    if (!ok) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return samples;
}

/** What an attack window showed: the attack's own outcome and every health request meanwhile. */
export interface Siege<T> {
  outcome: T;
  /** When the attacker had its first hostile request out, and when it stopped. */
  begunAt: number;
  endedAt: number;
  samples: HealthSample[];
  /** Health requests sent after the attack began and answered (200) before it ended. */
  answeredDuring: HealthSample[];
}

/** How long an attack may take to get going (start runs, open sockets) before it is given up. */
const SETUP_LIMIT_MS = 120_000;

/**
 * Runs `attack` for `seconds` of the attacker's own clock (a frozen server cannot stretch it),
 * counted from the moment it calls `begun()` (its first hostile request is out); health requests
 * go out from then on. The attack returns once `signal` aborts.
 */
export async function siege<T>(
  target: Pick<Target, 'url'>,
  seconds: number,
  attack: (signal: AbortSignal, begun: () => void) => Promise<T>,
): Promise<Siege<T>> {
  const window = new AbortController();
  let begunAt = Number.NaN;
  let probe: Promise<HealthSample[]> | undefined;
  let timer = setTimeout(() => window.abort(), SETUP_LIMIT_MS);
  const begun = () => {
    if (probe) return;
    begunAt = performance.now();
    clearTimeout(timer);
    timer = setTimeout(() => window.abort(), seconds * 1000);
    probe = probeHealth(target.url, window.signal);
  };
  try {
    const outcome = await attack(window.signal, begun);
    const endedAt = performance.now();
    window.abort();
    const samples = (await probe) ?? [];
    return {
      outcome,
      begunAt,
      endedAt,
      samples,
      answeredDuring: samples.filter((s) => s.ok && s.sentAt >= begunAt && s.answeredAt < endedAt),
    };
  } finally {
    clearTimeout(timer);
    window.abort();
  }
}

/** The process is up, answers health, and never reached its last-resort handlers. */
export async function stillServing(target: Target): Promise<{
  running: boolean;
  health: number;
  bugLines: string[];
}> {
  const running = target.server.child.exitCode === null && target.server.child.signalCode === null;
  const health = running ? (await rawHttp(target.url, { path: '/trpc/health' })).status : 0;
  const bugLines = target.server
    .output()
    .split('\n')
    .filter((line) => line.includes(BUG_MARKER));
  return { running, health, bugLines };
}

/** The witness run read back now, by a client that saw nothing before. */
export async function witnessNow(target: Target): Promise<RunEventOutput[]> {
  const fresh = createTestClient(target.url);
  try {
    return await subscribeAll(fresh.trpc, target.witness.runId);
  } finally {
    fresh.close();
  }
}

/** Resolves after `ms`, or at once when `signal` aborts (an attacker's pause between rounds). */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
