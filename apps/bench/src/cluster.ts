// The cluster row of `npm run bench`: three server processes on PostgreSQL and Redis behind
// HAProxy, runs executing on one node and every subscriber on the other two, against the same
// measurement on one server process (SQLite, in-process) with the same number of run slots.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freePort,
  type HaproxyServer,
  type PostgresServer,
  type RedisServer,
  startHaproxy,
  startPostgres,
  startRedis,
} from '@querylane/daemons';
import { ensureShopDataset } from '@querylane/engine';
import { type ServerProcess, startServerProcess } from '@querylane/server/testing';
import WebSocket from 'ws';
import { type LatencyFigures, querylaneLatency } from './latency.ts';
import { subscribeFrame } from './protocol.ts';

/** Run slots: the one node's, and the cluster's runner node's. */
const SLOTS = '4';
// Streams all 219,551 order items through a join, one `rows` event every few milliseconds.
const STREAMING = `SELECT oi.id, oi.quantity, oi.unit_price, o.status, o.channel
FROM order_items oi JOIN orders o ON o.id = oi.order_id`;
const STOPPED = Buffer.from('"type":"stopped"');

/** Limits meant for a network, raised: every bench client comes from one address. */
const open = {
  QUERYLANE_MAX_CONNECTIONS_PER_IP: '100000',
  QUERYLANE_RUNS_PER_MINUTE: '100000',
  QUERYLANE_WS_MESSAGES_PER_SECOND: '100000',
  QUERYLANE_PROGRESS_MS: '5',
  QUERYLANE_QUERY_TIMEOUT_MS: '600000',
};

export interface Deployment {
  /** Where clients go: the balancer, or the one node. */
  url: string;
  stop(): Promise<void>;
}

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'querylane-bench-'));
  ensureShopDataset(join(dir, 'shop.db'));
  return dir;
}

export async function oneNode(): Promise<Deployment> {
  const dir = dataDir();
  const node = await startServerProcess({
    dataDir: dir,
    env: { ...open, QUERYLANE_MAX_CONCURRENT_RUNS: SLOTS },
  });
  return {
    url: node.url,
    async stop() {
      await node.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Three nodes: node-1 runs the runs, node-2 and node-3 run none (`QUERYLANE_MAX_CONCURRENT_RUNS`
 * 0) and take every WebSocket, so each event crosses Redis to reach its subscribers.
 */
export async function threeNodes(): Promise<Deployment> {
  const dir = dataDir();
  let pg: PostgresServer | undefined;
  let redis: RedisServer | undefined;
  let lb: HaproxyServer | undefined;
  const nodes: ServerProcess[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await lb?.stop();
    await redis?.stop();
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
    const databaseUrl = await pg.createDatabase('querylane');
    const ports = await Promise.all([1, 2, 3].map(() => freePort()));
    const env = (i: number) => ({
      ...open,
      QUERYLANE_DATABASE_URL: databaseUrl,
      QUERYLANE_REDIS_URL: redis?.url ?? '',
      QUERYLANE_NODE_ID: `node-${i + 1}`,
      QUERYLANE_MAX_CONCURRENT_RUNS: i === 0 ? SLOTS : '0',
    });
    // One node first, so the migrations are applied once before the others start.
    nodes.push(await startServerProcess({ dataDir: dir, port: ports[0], env: env(0) }));
    nodes.push(
      ...(await Promise.all(
        [1, 2].map((i) => startServerProcess({ dataDir: dir, port: ports[i], env: env(i) })),
      )),
    );
    const backend = (i: number) => ({ name: `node-${i + 1}`, port: ports[i] as number });
    lb = await startHaproxy({
      backends: [0, 1, 2].map(backend),
      websocketBackends: [1, 2].map(backend),
    });
    const balancer = lb;
    const deadline = Date.now() + 30_000;
    while ((await balancer.up()).length < 3) {
      if (Date.now() > deadline) throw new Error('HAProxy did not see the nodes come up');
      await new Promise((r) => setTimeout(r, 50));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: lb.url, stop };
}

export interface DeliveryFigures {
  deliveredPerSec: number;
  delivered: number;
  ms: number;
}

/**
 * `runs` runs of a streaming query, each followed by `subscribers` bare sockets from its start:
 * events delivered to all of them per second, from the first start to the last end of stream.
 */
export async function delivery(
  deployment: Deployment,
  runs: number,
  subscribers: number,
): Promise<DeliveryFigures> {
  const wsUrl = `${deployment.url.replace(/^http/, 'ws')}/trpc`;
  const t0 = performance.now();
  const runIds = await Promise.all(
    Array.from({ length: runs }, async () => {
      const res = await fetch(`${deployment.url}/trpc/runs.start`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ json: { query: STREAMING } }),
      });
      const body = (await res.json()) as { result: { data: { json: { runId: string } } } };
      return body.result.data.json.runId;
    }),
  );
  const sockets: WebSocket[] = [];
  let frames = 0;
  const ends = runIds.flatMap((runId) =>
    Array.from(
      { length: subscribers },
      () =>
        new Promise<void>((resolve, reject) => {
          const socket = new WebSocket(wsUrl);
          sockets.push(socket);
          socket.once('open', () => socket.send(subscribeFrame(runId)));
          socket.once('error', reject);
          socket.on('message', (data: Buffer) => {
            frames += 1;
            if (data.includes(STOPPED)) resolve();
          });
        }),
    ),
  );
  await Promise.all(ends);
  const ms = performance.now() - t0;
  for (const socket of sockets) socket.terminate();
  // Each subscription also gets its `started` answer and its `stopped` frame: not events.
  const delivered = frames - 2 * sockets.length;
  return { deliveredPerSec: (delivered / ms) * 1000, delivered, ms };
}

export interface ClusterFigures {
  delivery: DeliveryFigures;
  latency: LatencyFigures;
}

/** Both measurements on one deployment, after a warm-up (workers, pools, connections). */
export async function measure(deployment: Deployment): Promise<ClusterFigures> {
  await delivery(deployment, 2, 2);
  const result = {
    delivery: await delivery(deployment, 8, 10),
    latency: await querylaneLatency(deployment, 100, 3),
  };
  return result;
}
