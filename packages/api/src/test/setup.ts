// Test fixtures: a real in-memory store with the real migrations, and a real dataset registry
// over a shop dataset generated once per machine and copied into each test's data dir.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@querylane/db';
import { DatasetRegistry, ensureShopDataset } from '@querylane/engine';
import { type Context, LOCAL_USER_ID, type Role } from '../context.ts';
import { appRouter } from '../root.ts';
import { type CreateServicesOptions, createServices } from '../services/index.ts';
import { createCallerFactory } from '../trpc.ts';

const sharedShop = join(tmpdir(), 'querylane-test-shop.db');

export async function createTestApp(
  opts: Omit<CreateServicesOptions, 'store' | 'registry'> & {
    datasets?: { id: string; path: string }[];
  } = {},
) {
  ensureShopDataset(sharedShop);
  const dataDir = mkdtempSync(join(tmpdir(), 'querylane-api-'));
  copyFileSync(sharedShop, join(dataDir, 'shop.db'));
  const registry = await DatasetRegistry.open({ dataDir, datasets: opts.datasets ?? [] });
  const store = openStore(':memory:');
  const services = createServices({ store, registry, ...opts });
  const caller = createCallerFactory(appRouter)({
    services,
    userId: LOCAL_USER_ID,
    connection: null,
  });
  return {
    services,
    caller,
    dataDir,
    callerFor: (userId: string, role: Role = 'user') =>
      createCallerFactory(appRouter)({ services, userId, role, connection: null }),
    /** A caller with any context: no user, over a given connection, and so on. */
    callerWith: (ctx: Omit<Context, 'services'>) =>
      createCallerFactory(appRouter)({ services, ...ctx }),
    async close() {
      await services.runs.shutdown();
      registry.close();
      store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
