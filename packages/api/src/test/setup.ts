// Test fixtures: a real in-memory store with the real migrations, a real dataset registry over
// a shop dataset generated once per machine and copied into each test's data dir, and the
// real SQL pipeline on its own worker pool.
import { rmSync } from 'node:fs';
import { openSqliteStores } from '@querylane/db';
import { createSqlPipeline, DatasetRegistry, SqlWorkerPool } from '@querylane/engine';
import { freshShopDir } from '@querylane/engine/testing';
import type { Context } from '../context.ts';
import { LOCAL_USER_ID, type Role } from '../identity.ts';
import { appRouter } from '../root.ts';
import {
  type CreateServicesOptions,
  createServices,
  type ServicesConfig,
} from '../services/index.ts';
import { createCallerFactory } from '../trpc.ts';

/** Settings for tests: values chosen for tests, stated here rather than borrowed as defaults. */
export const testConfig: ServicesConfig = {
  limits: {
    maxRows: 1_000,
    timeoutMs: 30_000,
    progressMs: 250,
    maxResultBytes: 2 * 1024 * 1024,
    maxValueBytes: 1024 * 1024,
  },
  concurrency: 2,
  streamLimits: {
    softBufferBytes: 256 * 1024,
    hardBufferBytes: 8 * 1024 * 1024,
    maxSubscriptionsPerSocket: 100,
  },
  runsPerMinute: 30,
  auditMaxRows: 100_000,
  authMode: 'none',
  version: '0.0.0-test',
  nodeId: 'test-node',
  heartbeatMs: 2_000,
};

export async function createTestApp(
  opts: Partial<ServicesConfig> &
    Pick<Partial<CreateServicesOptions>, 'now' | 'connections'> & {
      datasets?: { id: string; path: string }[];
    } = {},
) {
  const dataDir = freshShopDir('querylane-api-');
  const registry = await DatasetRegistry.open({ dataDir, datasets: opts.datasets ?? [] });
  const stores = openSqliteStores(':memory:');
  const pool = new SqlWorkerPool();
  const { datasets: _datasets, now, connections, ...config } = opts;
  const services = createServices({
    stores,
    pipelines: [createSqlPipeline({ registry, pool })],
    datasets: registry,
    config: { ...testConfig, ...config },
    log: (message, err) => console.error(message, err ?? ''),
    ...(now ? { now } : {}),
    ...(connections ? { connections } : {}),
  });
  const caller = createCallerFactory(appRouter)({
    services,
    userId: LOCAL_USER_ID,
    connection: null,
  });
  return {
    services,
    stores,
    caller,
    dataDir,
    callerFor: (userId: string, role: Role = 'user') =>
      createCallerFactory(appRouter)({ services, userId, role, connection: null }),
    /** A caller with any context: no user, over a given connection, and so on. */
    callerWith: (ctx: Omit<Context, 'services'>) =>
      createCallerFactory(appRouter)({ services, ...ctx }),
    async close() {
      await services.runs.shutdown(0);
      await pool.close();
      registry.close();
      await stores.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
