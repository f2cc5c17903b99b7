// A cluster for tests: Debian's PostgreSQL and Redis, N real server processes on fixed ports (a
// node can come back on its own port) and HAProxy in front, started here and stopped after. A
// test process of its own watches the database the way an operator would.

import type { RunEventOutput } from '@querylane/api';
import { type HaproxyServer, type RedisServer, startHaproxy, startRedis } from '@querylane/daemons';
import { openPostgresStores, type PostgresStores } from '@querylane/db';
import { type PgTestServer, startPgTestServer } from '@querylane/db/testing';
import { expect, vi } from 'vitest';
import WebSocket from 'ws';
import { createTestClient, freshDataDir, removeDir, subscribeAll } from './harness.ts';
import { freePort, type ServerProcess, startServerProcess } from './process.ts';

/** One token per person; `root` is the admin. */
export const TOKENS = {
  alice: 'cluster-token-alice-0123456789',
  bob: 'cluster-token-bob-0123456789',
  carol: 'cluster-token-carol-0123456789',
  root: 'cluster-token-root-0123456789',
} as const;
export type Person = keyof typeof TOKENS;

/** The lease and reaper interval the test nodes run with: a dead node's runs end within both. */
export const LEASE_MS = 5_000;
export const REAP_MS = 500;

export interface Infra {
  pg: PgTestServer;
  redis: RedisServer;
  lb: HaproxyServer;
  ports: number[];
  dataDir: string;
  stop(): Promise<void>;
}

export async function startInfra(nodes: number): Promise<Infra> {
  const dataDir = freshDataDir();
  const ports = await Promise.all(Array.from({ length: nodes }, () => freePort()));
  const [pg, redis] = await Promise.all([startPgTestServer(), startRedis()]);
  let lb: HaproxyServer;
  try {
    lb = await startHaproxy({ backends: ports.map((port, i) => ({ name: nodeName(i), port })) });
  } catch (err) {
    await Promise.all([pg.stop(), redis.stop()]);
    throw err;
  }
  return {
    pg,
    redis,
    lb,
    ports,
    dataDir,
    async stop() {
      await lb.stop();
      await Promise.all([pg.stop(), redis.stop()]);
      removeDir(dataDir);
    },
  };
}

export const nodeName = (i: number) => `node-${i + 1}`;

export interface TestNode extends ServerProcess {
  nodeId: string;
}

export interface Cluster {
  url: string;
  databaseUrl: string;
  nodes: TestNode[];
  /** The test's own connections to the database, as node `observer` (which holds no runs). */
  observer: PostgresStores;
  /** Starts node `i` again on its port (after a crash or a stop). */
  restart(i: number): Promise<TestNode>;
  stop(): Promise<void>;
}

export async function startCluster(
  infra: Infra,
  opts: { env?: Record<string, string>; nodeEnv?: (i: number) => Record<string, string> } = {},
): Promise<Cluster> {
  const databaseUrl = await infra.pg.database();
  const env = (i: number): Record<string, string> => ({
    QUERYLANE_DATABASE_URL: databaseUrl,
    QUERYLANE_REDIS_URL: infra.redis.url,
    QUERYLANE_NODE_ID: nodeName(i),
    QUERYLANE_AUTH: 'token',
    QUERYLANE_TOKENS: `${TOKENS.alice}:alice,${TOKENS.bob}:bob,${TOKENS.carol}:carol,${TOKENS.root}:root:admin`,
    // Every client reaches the nodes through the balancer, from one address.
    QUERYLANE_MAX_CONNECTIONS_PER_IP: '10000',
    QUERYLANE_MAX_CONNECTIONS_PER_USER: '1000',
    QUERYLANE_RUNS_PER_MINUTE: '100000',
    QUERYLANE_WS_MESSAGES_PER_SECOND: '100000',
    QUERYLANE_MAX_CONCURRENT_RUNS: '2',
    QUERYLANE_LEASE_MS: String(LEASE_MS),
    QUERYLANE_REAP_INTERVAL_MS: String(REAP_MS),
    QUERYLANE_QUEUE_POLL_MS: '500',
    QUERYLANE_HEARTBEAT_MS: '1000',
    QUERYLANE_PG_POOL_SIZE: '5',
    QUERYLANE_QUERY_TIMEOUT_MS: '120000',
    ...opts.env,
    ...opts.nodeEnv?.(i),
  });
  const start = async (i: number): Promise<TestNode> => {
    const port = infra.ports[i] as number;
    const node = await startServerProcess({ dataDir: infra.dataDir, port, env: env(i) });
    return Object.assign(node, { nodeId: nodeName(i) });
  };
  /** Until the balancer's health checks count these nodes up (else it answers 503). */
  const balanced = (names: string[]) =>
    vi.waitFor(async () => expect(await infra.lb.up()).toEqual(expect.arrayContaining(names)), {
      timeout: 30_000,
      interval: 50,
    });
  const nodes = await Promise.all(infra.ports.map((_, i) => start(i)));
  await balanced(nodes.map((n) => n.nodeId));
  const observer = await openPostgresStores(databaseUrl, {
    nodeId: 'observer',
    leaseMs: LEASE_MS,
    poolSize: 2,
    log: () => {},
  });
  return {
    url: infra.lb.url,
    databaseUrl,
    nodes,
    observer,
    async restart(i) {
      const node = await start(i);
      nodes[i] = node;
      await balanced([node.nodeId]);
      return node;
    },
    async stop() {
      await Promise.all(nodes.map((n) => n.stop()));
      await observer.close();
      if (process.env.QUERYLANE_CLUSTER_LOGS) {
        const { mkdirSync, writeFileSync } = await import('node:fs');
        mkdirSync(process.env.QUERYLANE_CLUSTER_LOGS, { recursive: true });
        for (const n of nodes) {
          writeFileSync(
            `${process.env.QUERYLANE_CLUSTER_LOGS}/${Date.now()}-${n.nodeId}.log`,
            n.output(),
          );
        }
      }
    },
  };
}

/** A WebSocket class that remembers which node answered each of its upgrades. */
export function tracedWebSocket() {
  const sockets: { node: string | undefined }[] = [];
  class Traced extends WebSocket {
    node: string | undefined;
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      sockets.push(this);
      this.once('upgrade', (res) => {
        this.node = String(res.headers['x-querylane-node'] ?? '');
      });
    }
  }
  return {
    WebSocket: Traced,
    /** The node of the newest socket (the one the client uses now). */
    node: () => sockets.at(-1)?.node,
    /** Every node the client was on, in order. */
    history: () => sockets.map((s) => s.node),
  };
}

/** A client of `person` through the balancer, following which node its socket is on. */
export function clusterClient(url: string, person: Person) {
  const traced = tracedWebSocket();
  const client = createTestClient(url, {
    token: TOKENS[person],
    WebSocket: traced.WebSocket as unknown as typeof WebSocket,
  });
  return Object.assign(client, { node: traced.node, nodes: traced.history });
}

export type ClusterClient = ReturnType<typeof clusterClient>;

/** Makes clients until one's socket lands on `nodeId` (the balancer goes round-robin). */
export async function landedOn(make: () => ClusterClient, nodeId: string): Promise<ClusterClient> {
  // Round-robin over three nodes; more tries than that, since other clients connect meanwhile.
  for (let i = 0; i < 30; i++) {
    const candidate = make();
    await vi.waitFor(() => expect(candidate.node()).toBeDefined(), { timeout: 10_000 });
    if (candidate.node() === nodeId) return candidate;
  }
  throw new Error(`no client landed on ${nodeId}`);
}

export const isRunning = (e: RunEventOutput) => e.type === 'stage' && e.stage === 'execute';

/** Subscribes to each run, recording what arrives as it arrives. */
export function watch(on: ClusterClient, runIds: readonly string[]) {
  const seen = new Map<string, RunEventOutput[]>(runIds.map((id) => [id, []]));
  const done = Promise.all(
    runIds.map(async (runId) => ({
      runId,
      events: await subscribeAll(on.trpc, runId, { onEvent: (e) => seen.get(runId)?.push(e) }),
    })),
  );
  return { seen, done };
}

/** Rows of the runs table the queue wrote: who ran each run, and in which order it was claimed. */
export async function claims(observer: PostgresStores, runIds: readonly string[]) {
  const res = await observer.store.pool.query<{
    id: string;
    user_id: string;
    node_id: string | null;
    claim_seq: string | null;
    status: string;
    started_at: Date | null;
    finished_at: Date | null;
  }>(
    `SELECT id, user_id, node_id, claim_seq, status, started_at, finished_at FROM runs
     WHERE id = ANY($1) ORDER BY claim_seq NULLS LAST`,
    [runIds],
  );
  return res.rows;
}
