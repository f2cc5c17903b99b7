// Where this process keeps history, its queue and its live events: alone, SQLite and in-process;
// as a node of a cluster, PostgreSQL (history, rooms, the activity feed, the queue with leases,
// the list of nodes) and Redis (live delivery and replay windows of runs, rooms and the feed, and
// room presence). The rest of the server sees only the ports.
import type { CreateServicesOptions, RedisView } from '@querylane/api';
import { RedisBus, RedisLiveChannel, RedisPresence } from '@querylane/bus';
import {
  type ActivityEvent,
  isTerminalEvent,
  isTerminalRoomEvent,
  type RoomEvent,
  type RunEvent,
} from '@querylane/contracts';
import { openPostgresStores, openSqliteStores, redact } from '@querylane/db';
import type { LeaseTiming, Stores } from '@querylane/runs';
import type { ClusterConfig, ServerConfig } from './config.ts';

/** What a cluster replaces of the in-process defaults (spread into `createServices`). */
type Channels = Pick<
  CreateServicesOptions,
  | 'live'
  | 'roomLive'
  | 'activityLive'
  | 'activityHistory'
  | 'queue'
  | 'presence'
  | 'nodePresence'
  | 'redisHealth'
>;

export interface Backend {
  stores: Stores;
  /** Empty: the in-process defaults. */
  channels: Channels;
  leases?: LeaseTiming;
  /** One line for the start-up log. */
  describe: string;
  close(): Promise<void>;
}

export async function openBackend(opts: {
  /** The SQLite history file of a process on its own. */
  historyPath: string;
  store: ServerConfig['store'];
  nodeId: string;
  cluster: ClusterConfig | null;
  log: (message: string, err?: unknown) => void;
}): Promise<Backend> {
  const { cluster, log, nodeId } = opts;
  if (!cluster) {
    const stores = openSqliteStores(opts.historyPath, opts.store);
    return {
      stores,
      channels: {},
      describe: `history in ${opts.historyPath}`,
      close: () => stores.close(),
    };
  }
  const stores = await openPostgresStores(cluster.databaseUrl, {
    nodeId,
    leaseMs: cluster.leaseMs,
    poolSize: cluster.poolSize,
    log,
  });
  let bus: RedisBus;
  try {
    bus = await RedisBus.connect({
      url: cluster.redisUrl,
      // Per database: clusters sharing a Redis, or a database made anew, never mix their keys.
      prefix: `querylane:${stores.clusterId}`,
      pollMs: cluster.pollMs,
      log,
    });
  } catch (err) {
    await stores.close();
    throw err;
  }
  const window = {
    maxLen: cluster.streamMaxLen,
    endedTtlMs: cluster.streamTtlMs,
    // A stream outlives a run whose node vanished without ending it, but not forever.
    idleTtlMs: Math.max(cluster.streamTtlMs, 24 * 3_600_000),
    maxPendingPerKey: 10_000,
    log,
  };
  const live = new RedisLiveChannel<RunEvent>(bus, {
    kind: 'run',
    isTerminal: isTerminalEvent,
    ...window,
  });
  const roomLive = new RedisLiveChannel<RoomEvent>(bus, {
    kind: 'room',
    isTerminal: isTerminalRoomEvent,
    ...window,
  });
  // The feed never ends: its stream is trimmed to the window a dashboard can catch up on.
  const activityLive = new RedisLiveChannel<ActivityEvent>(bus, {
    kind: 'activity',
    isTerminal: () => false,
    ...window,
  });
  const channels: Channels = {
    live,
    roomLive,
    activityLive,
    activityHistory: stores.activity,
    queue: stores.queue,
    presence: new RedisPresence(bus, { log }),
    nodePresence: stores.nodes,
    redisHealth: (): RedisView => {
      const { up, outages, downSince } = bus.health;
      return { up, outages, downSince };
    },
  };
  return {
    stores,
    channels,
    leases: {
      // Three chances to renew before a lease runs out.
      renewMs: Math.max(50, Math.floor(cluster.leaseMs / 3)),
      reapMs: cluster.reapMs,
      pollMs: cluster.pollMs,
    },
    describe:
      `a cluster node; history and queue in PostgreSQL at ${redact(cluster.databaseUrl)}, ` +
      `live events and room presence through Redis at ${redact(cluster.redisUrl)}`,
    async close() {
      await Promise.allSettled([live.close(), roomLive.close(), activityLive.close()]);
      await bus.close();
      await stores.close();
    },
  };
}
