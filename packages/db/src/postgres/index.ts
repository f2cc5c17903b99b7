// The PostgreSQL history store (a cluster's): every port's adapter over one database, plus what
// only a shared store can offer — the run queue with leases, the list of nodes, and the admin's
// activity feed that every node writes to.
import { randomUUID } from 'node:crypto';
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
  /** This database's name for its cluster: what keeps its Redis keys apart from others'. */
  readonly clusterId: string;
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
  let clusterId: string;
  try {
    clusterId = await identify(store);
    queue = await PgRunQueue.open(store, opts);
  } catch (err) {
    await store.close();
    throw err;
  }
  const { db } = store;
  return {
    store,
    clusterId,
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

/** The cluster's id, made once by whichever node starts first on this database. */
async function identify(store: PgStore): Promise<string> {
  await store.pool.query(
    'INSERT INTO cluster_identity (id, cluster_id) VALUES (1, $1) ON CONFLICT (id) DO NOTHING',
    [randomUUID()],
  );
  const res = await store.pool.query<{ cluster_id: string }>(
    'SELECT cluster_id FROM cluster_identity WHERE id = 1',
  );
  const id = res.rows[0]?.cluster_id;
  if (!id) throw new Error('the cluster_identity row is missing');
  return id;
}
