// Builds the services one server process runs on, from a store and a dataset registry.
import { createRepositories, type Store } from '@querylane/db';
import { type DatasetRegistry, warmSqlWorker } from '@querylane/engine';
import type { Services } from '../context.ts';
import { createMemoryBus, type EventBus } from './bus.ts';
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
}

export function createServices(opts: CreateServicesOptions): Services {
  const repos = createRepositories(opts.store.db);
  const bus = opts.bus ?? createMemoryBus();
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
    version: opts.version ?? '0.0.0',
    startedAt: Date.now(),
  };
}
