// Builds the services one server process runs on, from its stores, pipelines and config. The
// in-process event channels, queue and presence are the defaults; a cluster passes its own.
import { type ActivityEvent, isTerminalRoomEvent, type RoomEvent } from '@querylane/contracts';
import {
  Access,
  type ActivityHistory,
  CommentService,
  ConversationService,
  createEventLog,
  createSequencedLog,
  type LeaseTiming,
  type LiveChannel,
  MemoryLiveChannel,
  MemoryPresence,
  MemoryRunQueue,
  type NodePresence,
  type Pipeline,
  type Presence,
  RoomService,
  type RunLimits,
  type RunQueue,
  RunService,
  type Stores,
} from '@querylane/runs';
import type { DatasetCatalog, Restarter, Services, WorkerStats } from '../context.ts';
import { describeService, type TransportLimits } from '../discovery.ts';
import type { AuthMode } from '../identity.ts';
import { MAX_QUERY_CHARS } from '../router/schemas.ts';
import type { Connection, ConnectionDirectory, StreamLimits } from '../transport.ts';
import { ActivityFeed } from './activity.ts';
import { AuditLog } from './audit.ts';
import { type Clock, RateMeter, TokenBuckets } from './limits.ts';
import { collectMetrics } from './metrics.ts';
import { connectionView, MAX_LISTED_CONNECTIONS, NodeDirectory, type RedisView } from './nodes.ts';
import { NoticeBoard } from './notices.ts';
import { meteredStarts, observedLog } from './observed.ts';

/** Every setting the services take; read and defaulted once, by the app's env module. */
export interface ServicesConfig {
  limits: RunLimits;
  /** Runs executing at once in this process. */
  concurrency: number;
  streamLimits: StreamLimits;
  /** `runs.start` allowed per user and minute. */
  runsPerMinute: number;
  /** Other writing mutations allowed per user and minute. */
  writesPerMinute: number;
  /** `comments.add` allowed per user and minute. */
  commentsPerMinute: number;
  /** Members a room may hold besides its owner. */
  roomMaxMembers: number;
  /** How long a room session stays present without a heartbeat: the keep-alive window. */
  presenceTtlMs: number;
  /** Newest audit entries kept. */
  auditMaxRows: number;
  authMode: AuthMode;
  version: string;
  /** What the host's transport enforces; services only publish it (discovery). */
  transport: TransportLimits;
  /** What this server offers beyond SQL runs, as discovery publishes it. */
  features: { model: boolean; rooms: boolean; cluster: boolean };
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
  /** Live delivery of room events; in-process unless a cluster shares one. */
  roomLive?: LiveChannel<RoomEvent>;
  /** Live delivery of the activity feed; in-process unless a cluster shares one. */
  activityLive?: LiveChannel<ActivityEvent>;
  /** Where the activity feed is kept; a window in this process's memory unless a cluster's. */
  activityHistory?: ActivityHistory;
  queue?: RunQueue;
  /** The SQL worker pool, for metrics. */
  workers?: WorkerStats;
  /** Who has which room open; in-process unless a cluster shares one. */
  presence?: Presence;
  /** Where the nodes of a cluster report themselves; none for a server on its own. */
  nodePresence?: NodePresence;
  /** Whether this node reaches Redis (a cluster's live channels); null without one. */
  redisHealth?: () => RedisView;
  /** The server's live connections; none for in-process use. */
  connections?: ConnectionDirectory;
  /** How this process restarts itself; none for in-process use. */
  restarter?: Restarter;
  log: (message: string, err?: unknown) => void;
  /** For tests that move time by hand. */
  now?: Clock;
}

function hasDataset(datasets: CreateServicesOptions['datasets'], datasetId: string): boolean {
  try {
    datasets.get(datasetId);
    return true;
  } catch {
    return false;
  }
}

/** Without sign-in everyone is the same user: there is nobody else to share with. */
const SHARING_NEEDS_SIGN_IN =
  'Sharing needs sign-in: this server runs with QUERYLANE_AUTH=none, so everyone who reaches ' +
  'it is the same local user. Start it with QUERYLANE_AUTH=token or jwt to share conversations.';

export function createServices(opts: CreateServicesOptions): Services {
  const { stores, config, log } = opts;
  const now = opts.now ?? Date.now;
  const eventRate = new RateMeter(10, now);
  const presence = opts.presence ?? new MemoryPresence();
  const connections = opts.connections ?? { live: new Set<Connection>() };
  const audit = new AuditLog(stores.audit, { now, maxRows: config.auditMaxRows, log });
  // Figures read services built below; the feed only asks once a dashboard is open.
  let services: Services | undefined;
  const activity = new ActivityFeed({
    metrics: () => {
      if (!services) throw new Error('the services are not built yet');
      return collectMetrics(services);
    },
    tickMs: 1000,
    ...(opts.activityLive ? { live: opts.activityLive } : {}),
    ...(opts.activityHistory ? { history: opts.activityHistory } : {}),
    logError: log,
  });
  audit.onRecord((entry) => {
    if (entry.kind !== 'refused' || !entry.reason) return;
    void activity.record({
      type: 'refused',
      reason: entry.reason,
      userId: entry.userId ?? null,
      ip: entry.ip ?? null,
      target: entry.target ?? null,
    });
  });
  const events = observedLog(
    createEventLog({ history: stores.history, live: opts.live ?? new MemoryLiveChannel() }),
    { meter: eventRate, activity, runs: stores.runs },
  );
  const roomLog = createSequencedLog({
    history: stores.roomHistory,
    live: opts.roomLive ?? new MemoryLiveChannel<RoomEvent>(),
    isTerminal: isTerminalRoomEvent,
  });
  const access = new Access(stores.rooms, stores.runs);
  const rooms = new RoomService({
    rooms: stores.rooms,
    comments: stores.comments,
    access,
    log: roomLog,
    presence,
    maxMembers: config.roomMaxMembers,
    sharingDisabled: config.authMode === 'none' ? SHARING_NEEDS_SIGN_IN : null,
    presenceTtlMs: config.presenceTtlMs,
    now,
    logError: log,
  });
  const sent = (userId: string, conversationId: string) =>
    rooms.stoppedTyping(userId, conversationId);
  const runs = new RunService({
    runs: meteredStarts(stores.runs, eventRate),
    conversations: stores.conversations,
    events,
    access,
    roomLog,
    sent,
    queue: opts.queue ?? new MemoryRunQueue(),
    pipelines: opts.pipelines,
    limits: config.limits,
    concurrency: config.concurrency,
    ...(config.leases ? { leases: config.leases } : {}),
    hasDataset: (id) => hasDataset(opts.datasets, id),
    datasetIds: () => opts.datasets.list().map((d) => d.id),
    log,
  });
  const nodes = nodeDirectory(opts, runs, eventRate, audit, connections);
  services = {
    runs,
    conversations: new ConversationService({
      store: stores.conversations,
      rooms: stores.rooms,
      access,
      runs,
      roomLog,
      logError: log,
    }),
    rooms,
    comments: new CommentService({
      comments: stores.comments,
      runs: stores.runs,
      access,
      log: roomLog,
      sent,
      logError: log,
    }),
    presence,
    activity,
    datasets: opts.datasets,
    events,
    stores,
    streamLimits: config.streamLimits,
    streamStats: { coalesced: 0, overflowCloses: 0 },
    audit,
    notices: new NoticeBoard(),
    connections,
    runStarts: new TokenBuckets(config.runsPerMinute, now),
    writes: new TokenBuckets(config.writesPerMinute, now),
    commentPosts: new TokenBuckets(config.commentsPerMinute, now),
    restarter: opts.restarter ?? null,
    eventRate,
    workers: opts.workers ?? null,
    nodes,
    redisHealth: () => opts.redisHealth?.() ?? null,
    authMode: config.authMode,
    version: config.version,
    startedAt: nodes.startedAt.getTime(),
    discovery: describeService({
      ...config,
      maxQueryChars: MAX_QUERY_CHARS,
      maxRows: config.limits.maxRows,
    }),
  };
  return services;
}

/** This node as its heartbeat reports it, and the cluster's nodes as the admin lists them. */
function nodeDirectory(
  opts: CreateServicesOptions,
  runs: RunService,
  eventRate: RateMeter,
  audit: AuditLog,
  connections: ConnectionDirectory,
): NodeDirectory {
  const { config } = opts;
  const startedAt = new Date();
  return new NodeDirectory({
    nodeId: config.nodeId,
    heartbeatMs: config.heartbeatMs,
    startedAt,
    presence: opts.nodePresence,
    log: opts.log,
    status: () => {
      const live = [...connections.live];
      const load = runs.load();
      return {
        nodeId: config.nodeId,
        version: config.version,
        startedAt,
        running: load.running,
        peakRunning: load.peakRunning,
        concurrency: load.concurrency,
        connectionCount: live.length,
        subscriptions: live.reduce((n, c) => n + c.subscriptions, 0),
        eventsPerSecond: eventRate.perSecond(),
        eventsTotal: eventRate.total,
        refusals: audit.refusals,
        redis: opts.redisHealth?.() ?? null,
        connections: live.slice(0, MAX_LISTED_CONNECTIONS).map(connectionView),
      };
    },
  });
}
