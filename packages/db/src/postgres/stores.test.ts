// The PostgreSQL adapters against the port contracts on a real server (started by this file),
// plus what is PostgreSQL's own: guarded writes between nodes, the list of nodes, concurrent
// migrations. Rooms and the activity feed: rooms.test.ts.
import {
  createEventLog,
  LeaseLostError,
  MemoryLiveChannel,
  type QueueEntry,
} from '@querylane/runs';
import {
  describeEventLog,
  describeRunQueue,
  describeSharedRunQueue,
  describeStores,
  eventAt,
  seedRun,
} from '@querylane/runs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PgTestServer, startPgTestServer } from '../testing/postgres.ts';
import { openPostgresStores, type PostgresStores } from './index.ts';

let pg: PgTestServer;
beforeAll(async () => {
  pg = await startPgTestServer();
}, 120_000);
afterAll(async () => {
  await pg?.stop();
});

const log = () => {};
let nodes = 0;
const open = (url: string, nodeId = `node-${++nodes}`) =>
  openPostgresStores(url, { nodeId, leaseMs: 30_000, poolSize: 4, log });

/** Seeds a run for each queue entry (the queue references its run); the store queues it too. */
function seeder(stores: PostgresStores) {
  const conversations = new Set<string>();
  return async (e: QueueEntry) => {
    const isNew = !conversations.has(e.conversationId);
    conversations.add(e.conversationId);
    await seedRun(stores, {
      runId: e.runId,
      userId: e.userId,
      conversationId: e.conversationId,
      newConversation: isNew,
    });
  };
}

describeStores('PostgreSQL', async () => open(await pg.database()));

describeEventLog('PostgreSQL history + in-process channel', async () => {
  const stores = await open(await pg.database());
  return {
    log: createEventLog({ history: stores.history, live: new MemoryLiveChannel() }),
    runs: stores.runs,
    close: () => stores.close(),
  };
});

describeRunQueue('PostgreSQL', async () => {
  const stores = await open(await pg.database());
  return { queue: stores.queue, seed: seeder(stores), close: () => stores.close() };
});

describeSharedRunQueue('PostgreSQL', async () => {
  const url = await pg.database();
  const base = await open(url);
  const seed = seeder(base);
  return {
    async node() {
      const stores = await open(url);
      return { queue: stores.queue, close: () => stores.close() };
    },
    seed,
    async lapse(runId) {
      await base.store.pool.query(
        "UPDATE run_queue SET lease_expires_at = now() - interval '1 second' WHERE run_id = $1",
        [runId],
      );
    },
    close: () => base.close(),
  };
});

describe('PostgreSQL between nodes', () => {
  it('lets only the node holding a run write it, and no place in line once it is held', async () => {
    const url = await pg.database();
    const [a, b] = [await open(url, 'a'), await open(url, 'b')];
    try {
      await seedRun(a, { runId: 'r1' });
      const queued = (seq: number, position: number) =>
        eventAt('r1', seq, { type: 'queued', position });
      await b.history.append('r1', [queued(2, 1)], { lastSeq: 2 });
      expect((await a.queue.claim(1)).map((e) => e.runId)).toEqual(['r1']);
      // A late announcement from any node is refused once the run is held.
      await expect(b.history.append('r1', [queued(3, 1)], { lastSeq: 3 })).rejects.toBeInstanceOf(
        LeaseLostError,
      );
      await expect(a.history.append('r1', [queued(3, 1)], { lastSeq: 3 })).rejects.toBeInstanceOf(
        LeaseLostError,
      );
      const stage = eventAt('r1', 3, {
        type: 'stage',
        stage: 'plan',
        progress: 5,
        message: 'Planning',
      });
      await expect(b.history.append('r1', [stage], { lastSeq: 3 })).rejects.toBeInstanceOf(
        LeaseLostError,
      );
      await a.history.append('r1', [stage], { lastSeq: 3, status: 'running' });
      expect(await a.runs.get('r1')).toMatchObject({ status: 'running', lastSeq: 3 });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('migrates once when several nodes start at the same moment, and names one cluster', async () => {
    const url = await pg.server.createDatabase();
    const all = await Promise.all([open(url), open(url), open(url)]);
    const other = await open(await pg.database());
    try {
      const tables = await all[0]?.store.pool.query<{ n: string }>(
        "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public'",
      );
      expect(Number(tables?.rows[0]?.n)).toBe(15);
      // Every node of a database shares its cluster id; another database has its own.
      expect(new Set(all.map((s) => s.clusterId)).size).toBe(1);
      expect(all[0]?.clusterId).toMatch(/^[0-9a-f-]{36}$/);
      expect(other.clusterId).not.toBe(all[0]?.clusterId);
    } finally {
      for (const s of [...all, other]) await s.close();
    }
  });

  it('lists the nodes that beat, marks an overdue one gone, and forgets one that left', async () => {
    const stores = await open(await pg.database());
    try {
      const startedAt = new Date();
      await stores.nodes.heartbeat({ nodeId: 'n1', startedAt, report: { a: 1 }, ttlMs: 60_000 });
      await stores.nodes.heartbeat({ nodeId: 'n2', startedAt, report: { b: 2 }, ttlMs: 1 });
      await stores.nodes.heartbeat({ nodeId: 'n3', startedAt, report: {}, ttlMs: 60_000 });
      await stores.nodes.leave('n3');
      await expect
        .poll(async () => (await stores.nodes.list()).map((n) => [n.nodeId, n.alive]))
        .toEqual([
          ['n1', true],
          ['n2', false],
        ]);
      expect((await stores.nodes.list())[0]?.report).toEqual({ a: 1 });
    } finally {
      await stores.close();
    }
  });
});
