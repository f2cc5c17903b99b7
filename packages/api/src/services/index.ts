// Builds the services one server process runs on, from a store and a dataset registry.
import { createRepositories, type Store } from '@querylane/db';
import { type DatasetRegistry, warmSqlWorker } from '@querylane/engine';
import type { AuthMode, Connection, ConnectionDirectory, Services } from '../context.ts';
import { AuditLog } from './audit.ts';
import { createMemoryBus, type EventBus } from './bus.ts';
import { type Clock, RateMeter, TokenBuckets } from './limits.ts';
import { NoticeBoard } from './notices.ts';
import { defaultStreamLimits, type StreamLimits } from './pacing.ts';
import { type RunLimits, RunService } from './run-service.ts';

export interface CreateServicesOptions {
  store: Store;
  registry: DatasetRegistry;
  bus?: EventBus;
  limits?: Partial<RunLimits>;
  streamLimits?: Partial<StreamLimits>;
  concurrency?: number;
  version?: string;
  log?: (message: string, err?: unknown) => void;
  /** `runs.start` allowed per user and minute. Default 30. */
  runsPerMinute?: number;
  /** The server's live connections; none for in-process use. */
  connections?: ConnectionDirectory;
  authMode?: AuthMode;
  /** Newest audit rows kept. Default 100,000. */
  auditMaxRows?: number;
  /** For tests that move time by hand. */
  now?: Clock;
}

/** Counts every event the bus carries, for the events-per-second figure. */
function metered(bus: EventBus, meter: RateMeter): EventBus {
  return {
    subscribe: (runId, listener) => bus.subscribe(runId, listener),
    publish(event) {
      meter.mark();
      bus.publish(event);
    },
    listenerCount: (runId) => bus.listenerCount(runId),
  };
}

export function createServices(opts: CreateServicesOptions): Services {
  const repos = createRepositories(opts.store.db);
  const now = opts.now ?? Date.now;
  const eventRate = new RateMeter(10, now);
  const bus = metered(opts.bus ?? createMemoryBus(), eventRate);
  for (const ds of opts.registry.list()) {
    repos.datasets.upsert({
      id: ds.id,
      name: ds.name,
      kind: ds.kind,
      path: opts.registry.get(ds.id).path,
      tables: ds.tables,
    });
  }
  warmSqlWorker();
  const runs = new RunService({
    repos,
    registry: opts.registry,
    bus,
    ...(opts.limits ? { limits: opts.limits } : {}),
    ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
    ...(opts.log ? { log: opts.log } : {}),
  });
  return {
    repos,
    registry: opts.registry,
    bus,
    runs,
    streamLimits: { ...defaultStreamLimits, ...opts.streamLimits },
    streamStats: { coalesced: 0, overflowCloses: 0 },
    audit: new AuditLog(repos, {
      now,
      ...(opts.auditMaxRows ? { maxRows: opts.auditMaxRows } : {}),
      ...(opts.log ? { log: opts.log } : {}),
    }),
    notices: new NoticeBoard(),
    connections: opts.connections ?? { live: new Set<Connection>() },
    runStarts: new TokenBuckets(opts.runsPerMinute ?? 30, now),
    eventRate,
    authMode: opts.authMode ?? 'none',
    version: opts.version ?? '0.0.0',
    startedAt: Date.now(),
  };
}
