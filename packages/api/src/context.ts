// What every procedure sees: the services of this process and who is calling.
import type { Repositories } from '@querylane/db';
import type { DatasetRegistry } from '@querylane/engine';
import type { EventBus } from './services/bus.ts';
import type { RunService } from './services/run-service.ts';

/** One local user until authentication lands; every person-owned row carries this id. */
export const LOCAL_USER_ID = 'local';

export interface Services {
  repos: Repositories;
  registry: DatasetRegistry;
  bus: EventBus;
  runs: RunService;
  version: string;
  startedAt: number;
}

export interface Context {
  services: Services;
  userId: string | null;
}

export function createContextFactory(services: Services) {
  return (): Context => ({ services, userId: LOCAL_USER_ID });
}
