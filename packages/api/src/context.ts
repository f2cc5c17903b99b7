// What every procedure sees: the services of this process, who is calling, and over what.
import type { Suggestion } from '@querylane/contracts';
import type {
  CommentService,
  ConversationService,
  EventLog,
  Presence,
  RoomService,
  RunService,
  Stores,
} from '@querylane/runs';
import type { ServiceDiscovery } from './discovery.ts';
import type { AuthFailure, AuthMode, Identity, Role } from './identity.ts';
import { LOCAL_IDENTITY } from './identity.ts';
import type { ActivityFeed } from './services/activity.ts';
import type { AuditLog } from './services/audit.ts';
import type { RateMeter, TokenBuckets } from './services/limits.ts';
import type { NodeDirectory, RedisView } from './services/nodes.ts';
import type { NoticeBoard } from './services/notices.ts';
import type { Connection, ConnectionDirectory, StreamLimits, StreamStats } from './transport.ts';

/** The datasets runs can use, as the routers show them. */
export interface DatasetCatalog {
  list(): { id: string; name: string; kind: 'demo' | 'user'; tables: string[] }[];
  schema(datasetId: string): {
    tables: { name: string; rowCount: number; columns: { name: string; type: string }[] }[];
  };
  /** Words of the dataset's semantic model matching `prefix`, at most `limit`. */
  suggest(datasetId: string, prefix: string, limit: number): Suggestion[];
}

/** What the SQL worker processes are doing, for metrics. */
export interface WorkerStats {
  stats(): {
    size: number;
    idle: number;
    busy: number;
    forked: number;
    killed: number;
    died: number;
  };
}

/** What this process does when an admin asks it to restart. */
export interface Restarter {
  /** Starts the restart soon after this returns; false when one is under way already. */
  request(by: string): boolean;
  /** How long running runs get to finish before they end `interrupted`. */
  graceMs: number;
  /** `self`: the process starts the server again; `exit`: it exits for a supervisor to. */
  mode: 'self' | 'exit';
}

export interface Services {
  runs: RunService;
  conversations: ConversationService;
  rooms: RoomService;
  comments: CommentService;
  /** Who has which room open, and who is typing. */
  presence: Presence;
  /** The admin's live feed. */
  activity: ActivityFeed;
  datasets: DatasetCatalog;
  /** The run event log (for listener counts in metrics and tests). */
  events: EventLog;
  /** The history store's ports, for the services above and for tests; routers use services. */
  stores: Omit<Stores, 'close' | 'recordDatasets'>;
  /** Bounds on what one WebSocket may hold open and leave unread. */
  streamLimits: StreamLimits;
  streamStats: StreamStats;
  audit: AuditLog;
  notices: NoticeBoard;
  connections: ConnectionDirectory;
  /** `runs.start` per user. */
  runStarts: TokenBuckets;
  /** Every other writing mutation, per user. */
  writes: TokenBuckets;
  /** `comments.add` per user. */
  commentPosts: TokenBuckets;
  /** Null when this process cannot restart itself (in-process use, tests). */
  restarter: Restarter | null;
  /** Run events published per second, over the last few seconds. */
  eventRate: RateMeter;
  /** The SQL worker pool, when this process has one. */
  workers: WorkerStats | null;
  /** This node and the others of its cluster (just this one when alone). */
  nodes: NodeDirectory;
  /** Whether this node reaches Redis; null without a cluster. */
  redisHealth: () => RedisView | null;
  authMode: AuthMode;
  version: string;
  startedAt: number;
  /** What clients learn before connecting (`meta.config`, GET /.well-known/querylane). */
  discovery: ServiceDiscovery;
}

export interface Context {
  services: Services;
  userId: string | null;
  /** Absent for in-process callers, who act as plain users. */
  role?: Role | null;
  /** Set when credentials were required and not accepted; the refusal says why. */
  authFailure?: AuthFailure | null;
  /** Null for in-process callers (tests, scripts). */
  connection: Connection | null;
}

/** The context of one call: signed in as `identity`, or refused for `failure`. */
export function createContextFactory(services: Services) {
  return (
    connection: Connection | null = null,
    auth: Identity | { failure: AuthFailure } = LOCAL_IDENTITY,
  ): Context =>
    'failure' in auth
      ? { services, userId: null, role: null, authFailure: auth.failure, connection }
      : { services, userId: auth.userId, role: auth.role, authFailure: null, connection };
}
