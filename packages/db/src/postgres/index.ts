// The PostgreSQL history store (a cluster's): every port's adapter over one database, plus what
// only a shared store can offer — the run queue with leases, the list of nodes, and the admin's
// activity feed that every node writes to.
import type { ActivityHistory, NodePresence, Stores } from '@querylane/runs';
import { createAuditStore } from './audit-store.ts';
import { openPgStore, type PgOptions, type PgStore } from './client.ts';
import { createCommentStore } from './comment-store.ts';
import { createConversationStore } from './conversation-store.ts';
import { createEventHistory } from './event-history.ts';
import { createFeedHistory } from './feed-history.ts';
import { createNodePresence } from './node-presence.ts';
import { PgRunQueue } from './queue.ts';
import { createRoomHistory } from './room-history.ts';
import { createRoomStore } from './room-store.ts';
import { createRunStore } from './run-store.ts';
import { datasets } from './schema.ts';

/** Activity events kept for dashboards that reconnect. */
const FEED_WINDOW = 10_000;

export interface PostgresStores extends Stores {
  readonly store: PgStore;
  queue: PgRunQueue;
  /** The nodes of the cluster and what each last reported. */
  nodes: NodePresence;
  /** The admin's activity feed. */
  activity: ActivityHistory;
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
    nodes: createNodePresence(store),
    activity: createFeedHistory(store, { window: FEED_WINDOW, log: opts.log }),
    runs: createRunStore(db),
    conversations: createConversationStore(db),
    history: createEventHistory(store, opts.nodeId),
    audit: createAuditStore(db),
    rooms: createRoomStore(db),
    comments: createCommentStore(db),
    roomHistory: createRoomHistory(store),
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
