// Where this process keeps history, its queue and its live events: alone, SQLite and in-process;
// as a node of a cluster, PostgreSQL (history, the queue with leases, presence) and Redis (live
// delivery and the replay window). The rest of the server sees only the ports.
import type { RedisView } from '@querylane/api';
import { RedisLiveChannel } from '@querylane/bus';
import { openPostgresStores, openSqliteStores, redact } from '@querylane/db';
import type { LeaseTiming, LiveChannel, Presence, RunQueue, Stores } from '@querylane/runs';

/** The settings of a node of a cluster (both URLs given). */
export interface ClusterConfig {
  databaseUrl: string;
  redisUrl: string;
  poolSize: number;
  /** A run's lease; a node that stops renewing it for this long has its runs ended by others. */
  leaseMs: number;
  reapMs: number;
  pollMs: number;
  heartbeatMs: number;
  streamMaxLen: number;
  streamTtlMs: number;
}

export interface Backend {
  stores: Stores;
  /** Absent: the in-process defaults. */
  live?: LiveChannel;
  queue?: RunQueue;
  presence?: Presence;
  leases?: LeaseTiming;
  redisHealth?: () => RedisView;
  /** One line for the start-up log. */
  describe: string;
  close(): Promise<void>;
}

export async function openBackend(opts: {
  /** The SQLite history file of a process on its own. */
  historyPath: string;
  nodeId: string;
  cluster: ClusterConfig | null;
  log: (message: string, err?: unknown) => void;
}): Promise<Backend> {
  const { cluster, log, nodeId } = opts;
  if (!cluster) {
    const stores = openSqliteStores(opts.historyPath);
    return { stores, describe: `history in ${opts.historyPath}`, close: () => stores.close() };
  }
  const stores = await openPostgresStores(cluster.databaseUrl, {
    nodeId,
    leaseMs: cluster.leaseMs,
    poolSize: cluster.poolSize,
    log,
  });
  let live: RedisLiveChannel;
  try {
    live = await RedisLiveChannel.connect({
      url: cluster.redisUrl,
      prefix: 'querylane',
      maxLen: cluster.streamMaxLen,
      endedTtlMs: cluster.streamTtlMs,
      // A stream outlives a run whose node vanished without ending it, but not forever.
      idleTtlMs: Math.max(cluster.streamTtlMs, 24 * 3_600_000),
      pollMs: cluster.pollMs,
      maxPendingPerRun: 10_000,
      log,
    });
  } catch (err) {
    await stores.close();
    throw err;
  }
  return {
    stores,
    live,
    queue: stores.queue,
    presence: stores.presence,
    leases: {
      // Three chances to renew before a lease runs out.
      renewMs: Math.max(50, Math.floor(cluster.leaseMs / 3)),
      reapMs: cluster.reapMs,
      pollMs: cluster.pollMs,
    },
    redisHealth: () => {
      const { up, outages, downSince } = live.health;
      return { up, outages, downSince };
    },
    describe:
      `a cluster node; history and queue in PostgreSQL at ${redact(cluster.databaseUrl)}, ` +
      `live events through Redis at ${redact(cluster.redisUrl)}`,
    async close() {
      await live.close();
      await stores.close();
    },
  };
}
