// The PostgreSQL history store (a cluster's): every port's adapter over one database, plus the
// run queue with leases and the presence of nodes, which only a shared store can offer.
import type { Presence, Stores } from '@querylane/runs';
import { createAuditStore } from './audit-store.ts';
import { openPgStore, type PgOptions, type PgStore } from './client.ts';
import { createConversationStore } from './conversation-store.ts';
import { createEventHistory } from './event-history.ts';
import { createPresence } from './presence.ts';
import { PgRunQueue } from './queue.ts';
import { createRunStore } from './run-store.ts';
import { datasets } from './schema.ts';

export interface PostgresStores extends Stores {
  readonly store: PgStore;
  queue: PgRunQueue;
  presence: Presence;
}

export interface PostgresStoreOptions extends Omit<PgOptions, 'applicationName'> {
  /** This node: it may write only the runs it holds. */
  nodeId: string;
  /** A claimed run's lease lapses this long after its last renewal. */
  leaseMs: number;
}

export async function openPostgresStores(
  url: string,
  opts: PostgresStoreOptions,
): Promise<PostgresStores> {
  const store = await openPgStore(url, {
    poolSize: opts.poolSize,
    applicationName: `querylane ${opts.nodeId}`,
    log: opts.log,
  });
  let queue: PgRunQueue;
  try {
    queue = await PgRunQueue.open(store, opts);
  } catch (err) {
    await store.close();
    throw err;
  }
  const { db } = store;
  return {
    store,
    queue,
    presence: createPresence(store),
    runs: createRunStore(db),
    conversations: createConversationStore(db),
    history: createEventHistory(store, opts.nodeId),
    audit: createAuditStore(db),
    async recordDatasets(list) {
      await db.transaction(async (tx) => {
        for (const row of list) {
          await tx
            .insert(datasets)
            .values(row)
            .onConflictDoUpdate({
              target: datasets.id,
              set: { name: row.name, kind: row.kind, path: row.path, tables: row.tables },
            });
        }
      });
    },
    async close() {
      await queue.close();
      await store.close();
    },
  };
}
