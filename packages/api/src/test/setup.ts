// Test fixtures: a real in-memory store with the real migrations, a real dataset registry over
// a shop dataset generated once per machine and copied into each test's data dir, and the
// real SQL and question pipelines (SQL on its own worker pool).
import { rmSync } from 'node:fs';
import { openSqliteStores } from '@querylane/db';
import {
  conversationHistory,
  createModelClient,
  createQuestionPipeline,
  createSqlPipeline,
  DatasetRegistry,
  datasetCatalog,
  type ModelConfig,
  poolExecutor,
  SemanticModels,
  SqlWorkerPool,
} from '@querylane/engine';
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
  writesPerMinute: 120,
  commentsPerMinute: 30,
  roomMaxMembers: 20,
  presenceTtlMs: 35_000,
  auditMaxRows: 100_000,
  authMode: 'none',
  features: { model: false, rooms: false, cluster: false },
  version: '0.0.0-test',
  transport: {
    maxMessageBytes: 65_536,
    messagesPerSecond: 100,
    pingMs: 30_000,
    pongWaitMs: 5_000,
    connectionsPerUser: 5,
    connectionsPerAddress: 20,
  },
  nodeId: 'test-node',
  heartbeatMs: 2_000,
};

export async function createTestApp(
  opts: Partial<ServicesConfig> &
    Pick<Partial<CreateServicesOptions>, 'now' | 'connections'> & {
      datasets?: { id: string; path: string }[];
      /** A model endpoint for questions the offline translator does not answer. */
      model?: ModelConfig;
    } = {},
) {
  const dataDir = freshShopDir('querylane-api-');
  const registry = await DatasetRegistry.open({ dataDir, datasets: opts.datasets ?? [] });
  const stores = openSqliteStores(':memory:');
  const pool = new SqlWorkerPool();
  const { datasets: _datasets, now, connections, model, ...config } = opts;
  const models = new SemanticModels(registry);
  const services = createServices({
    stores,
    pipelines: [
      createSqlPipeline({ registry, pool }),
      createQuestionPipeline({
        models,
        executor: poolExecutor(registry, pool),
        ...(model ? { model: createModelClient(model) } : {}),
        history: conversationHistory(stores),
      }),
    ],
    datasets: datasetCatalog(registry, models),
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
      services.activity.close();
      await services.presence.close();
      await pool.close();
      registry.close();
      await stores.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
