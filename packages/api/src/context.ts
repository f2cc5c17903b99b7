// What every procedure sees: the services of this process, who is calling, and over what.
import type { Repositories } from '@querylane/db';
import type { DatasetRegistry } from '@querylane/engine';
import type { EventBus } from './services/bus.ts';
import type { StreamLimits, StreamStats } from './services/pacing.ts';
import type { RunService } from './services/run-service.ts';

/** One local user until authentication lands; every person-owned row carries this id. */
export const LOCAL_USER_ID = 'local';

export interface Services {
  repos: Repositories;
  registry: DatasetRegistry;
  bus: EventBus;
  runs: RunService;
  /** Bounds on what one WebSocket may hold open and leave unread. */
  streamLimits: StreamLimits;
  streamStats: StreamStats;
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
}

export interface Context {
  services: Services;
  userId: string | null;
  /** Null for in-process callers (tests, scripts). */
  connection: Connection | null;
}

export function createContextFactory(services: Services) {
  return (connection: Connection | null = null): Context => ({
    services,
    userId: LOCAL_USER_ID,
    connection,
  });
}
