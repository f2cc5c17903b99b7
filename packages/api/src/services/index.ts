// Builds the services one server process runs on, from its stores, pipelines and config. The
// in-process event channel and queue are the defaults; a cluster passes its own.
import {
  ConversationService,
  createEventLog,
  type EventLog,
  type LeaseTiming,
  type LiveChannel,
  MemoryLiveChannel,
  MemoryRunQueue,
  type Pipeline,
  type Presence,
  type RunLimits,
  type RunQueue,
  RunService,
  type RunStore,
  type Stores,
} from '@querylane/runs';
import type { DatasetCatalog, Services, WorkerStats } from '../context.ts';
import type { AuthMode } from '../identity.ts';
import type { Connection, ConnectionDirectory, StreamLimits } from '../transport.ts';
import { AuditLog } from './audit.ts';
import { type Clock, RateMeter, TokenBuckets } from './limits.ts';
import { connectionView, MAX_LISTED_CONNECTIONS, NodeDirectory, type RedisView } from './nodes.ts';
import { NoticeBoard } from './notices.ts';

/** Every setting the services take; read and defaulted once, by the app's env module. */
export interface ServicesConfig {
  limits: RunLimits;
  /** Runs executing at once in this process. */
  concurrency: number;
  streamLimits: StreamLimits;
  /** `runs.start` allowed per user and minute. */
  runsPerMinute: number;
  /** Newest audit entries kept. */
  auditMaxRows: number;
  authMode: AuthMode;
  version: string;
  /** This process's name: in /metrics, on the admin page, and on the runs it holds. */
  nodeId: string;
  /** How often this node reports itself to the others (when there are others). */
  heartbeatMs: number;
  /** On a shared queue: lease renewal, reaping and polling. */
  leases?: LeaseTiming;
}

export interface CreateServicesOptions {
  stores: Stores;
  pipelines: readonly Pipeline[];
  /** The datasets runs can use; `get` throws for an unknown id. */
  datasets: DatasetCatalog & { get(datasetId: string): unknown };
  config: ServicesConfig;
  /** Live delivery of run events; in-process unless a cluster shares one. */
  live?: LiveChannel;
  queue?: RunQueue;
  /** The SQL worker pool, for metrics. */
  workers?: WorkerStats;
  /** Where the nodes of a cluster report themselves; none for a server on its own. */
  presence?: Presence;
  /** Whether this node reaches Redis (a cluster's live channel); null without one. */
  redisHealth?: () => RedisView;
  /** The server's live connections; none for in-process use. */
  connections?: ConnectionDirectory;
  log: (message: string, err?: unknown) => void;
  /** For tests that move time by hand. */
  now?: Clock;
}

/** Counts every event stored, for the events-per-second figure: the log's, and each run's first. */
function meteredStarts(store: RunStore, meter: RateMeter): RunStore {
  return {
    async start(input) {
      const run = await store.start(input);
      meter.mark(input.events.length);
      return run;
    },
    get: (runId) => store.get(runId),
    getOwned: (userId, runId) => store.getOwned(userId, runId),
    result: (runId) => store.result(runId),
    page: (opts) => store.page(opts),
    patch: (runId, patch) => store.patch(runId, patch),
    setChart: (userId, runId, chart) => store.setChart(userId, runId, chart),
    unfinished: () => store.unfinished(),
    countByStatus: () => store.countByStatus(),
  };
}

function metered(log: EventLog, meter: RateMeter): EventLog {
  return {
    async append(runId, events, patch) {
      await log.append(runId, events, patch);
      meter.mark(events.length);
    },
    read: (runId, afterSeq, signal) => log.read(runId, afterSeq, signal),
    listenerCount: (runId) => log.listenerCount(runId),
  };
}

function hasDataset(datasets: CreateServicesOptions['datasets'], datasetId: string): boolean {
  try {
    datasets.get(datasetId);
    return true;
  } catch {
    return false;
  }
}

export function createServices(opts: CreateServicesOptions): Services {
  const { stores, config } = opts;
  const now = opts.now ?? Date.now;
  const eventRate = new RateMeter(10, now);
  const events = metered(
    createEventLog({ history: stores.history, live: opts.live ?? new MemoryLiveChannel() }),
    eventRate,
  );
  const runs = new RunService({
    runs: meteredStarts(stores.runs, eventRate),
    conversations: stores.conversations,
    events,
    queue: opts.queue ?? new MemoryRunQueue(),
    pipelines: opts.pipelines,
    limits: config.limits,
    concurrency: config.concurrency,
    ...(config.leases ? { leases: config.leases } : {}),
    hasDataset: (id) => hasDataset(opts.datasets, id),
    datasetIds: () => opts.datasets.list().map((d) => d.id),
    log: opts.log,
  });
  const startedAt = Date.now();
  const connections = opts.connections ?? { live: new Set<Connection>() };
  const audit = new AuditLog(stores.audit, { now, maxRows: config.auditMaxRows, log: opts.log });
  const redisHealth = () => opts.redisHealth?.() ?? null;
  const nodes = new NodeDirectory({
    nodeId: config.nodeId,
    heartbeatMs: config.heartbeatMs,
    presence: opts.presence,
    log: opts.log,
    status: () => {
      const live = [...connections.live];
      const load = runs.load();
      return {
        nodeId: config.nodeId,
        version: config.version,
        startedAt: new Date(startedAt),
        running: load.running,
        peakRunning: load.peakRunning,
        concurrency: load.concurrency,
        connectionCount: live.length,
        subscriptions: live.reduce((n, c) => n + c.subscriptions, 0),
        eventsPerSecond: eventRate.perSecond(),
        eventsTotal: eventRate.total,
        refusals: audit.refusals,
        redis: redisHealth(),
        connections: live.slice(0, MAX_LISTED_CONNECTIONS).map(connectionView),
      };
    },
  });
  return {
    runs,
    conversations: new ConversationService(stores.conversations, runs),
    datasets: opts.datasets,
    events,
    stores,
    streamLimits: config.streamLimits,
    streamStats: { coalesced: 0, overflowCloses: 0 },
    audit,
    notices: new NoticeBoard(),
    connections,
    runStarts: new TokenBuckets(config.runsPerMinute, now),
    eventRate,
    workers: opts.workers ?? null,
    nodes,
    redisHealth,
    authMode: config.authMode,
    version: config.version,
    startedAt,
  };
}
