// What every procedure sees: the services of this process, who is calling, and over what.
import type { Repositories } from '@querylane/db';
import type { DatasetRegistry } from '@querylane/engine';
import type { AuditLog } from './services/audit.ts';
import type { EventBus } from './services/bus.ts';
import type { RateMeter, TokenBuckets } from './services/limits.ts';
import type { NoticeBoard } from './services/notices.ts';
import type { StreamLimits, StreamStats } from './services/pacing.ts';
import type { RunService } from './services/run-service.ts';

/** The one user of a server without authentication; every person-owned row carries a user id. */
export const LOCAL_USER_ID = 'local';

export const roles = ['user', 'admin'] as const;
export type Role = (typeof roles)[number];

/** Who a caller is once their credentials were accepted. */
export interface Identity {
  userId: string;
  role: Role;
}

/** Without authentication the one local user owns the server, so it is its admin too. */
export const LOCAL_IDENTITY: Identity = { userId: LOCAL_USER_ID, role: 'admin' };

export const authModes = ['none', 'token', 'jwt'] as const;
export type AuthMode = (typeof authModes)[number];

/** Why a caller has no identity: no credentials, credentials nobody issued, or expired ones. */
export type AuthFailure = 'missing' | 'invalid' | 'expired';

/** The live connections of this process, as the admin sees them. */
export interface ConnectionDirectory {
  readonly live: ReadonlySet<Connection>;
}

export interface Services {
  repos: Repositories;
  registry: DatasetRegistry;
  bus: EventBus;
  runs: RunService;
  /** Bounds on what one WebSocket may hold open and leave unread. */
  streamLimits: StreamLimits;
  streamStats: StreamStats;
  audit: AuditLog;
  notices: NoticeBoard;
  connections: ConnectionDirectory;
  /** `runs.start` per user. */
  runStarts: TokenBuckets;
  /** Run events published per second, over the last few seconds. */
  eventRate: RateMeter;
  authMode: AuthMode;
  version: string;
  startedAt: number;
}

/** As much of a WebSocket as procedures need: how far behind the client is, and a way out. */
export interface SocketHandle {
  /** Bytes queued for this client that the kernel has not taken yet. */
  readonly bufferedAmount: number;
  terminate(): void;
}

/** One client connection: a WebSocket for its whole life, or a single HTTP request. */
export interface Connection {
  readonly id: string;
  readonly transport: 'ws' | 'http';
  readonly ip: string;
  readonly since: Date;
  /** Null for HTTP. */
  readonly socket: SocketHandle | null;
  /** Subscriptions open on this connection now. */
  subscriptions: number;
  /** Set once the credentials of the connection were accepted. */
  identity: Identity | null;
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
