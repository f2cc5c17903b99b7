// Rooms and the activity feed on a real PostgreSQL (started by this file): the room store and
// room log contracts the SQLite adapters pass, and the feed shared by nodes — numbered without a
// gap or a repeat by writers on several nodes at once, read back in order, trimmed to its window.
import type { ActivityEventInput, RoomEvent } from '@querylane/contracts';
import { createSequencedLog, MemoryLiveChannel } from '@querylane/runs';
import { describeRoomLog, describeRoomStores } from '@querylane/runs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PgTestServer, startPgTestServer } from '../testing/postgres.ts';
import { createFeedHistory } from './feed-history.ts';
import { openPostgresStores } from './index.ts';

let pg: PgTestServer;
beforeAll(async () => {
  pg = await startPgTestServer();
}, 120_000);
afterAll(async () => {
  await pg?.stop();
});

let nodes = 0;
const open = async (url?: string) =>
  openPostgresStores(url ?? (await pg.database()), {
    nodeId: `node-${++nodes}`,
    leaseMs: 30_000,
    poolSize: 4,
    log: () => {},
  });

describeRoomStores('PostgreSQL', () => open());

describeRoomLog('PostgreSQL room history + in-process channel', async () => {
  const stores = await open();
  return {
    log: createSequencedLog({
      history: stores.roomHistory,
      live: new MemoryLiveChannel<RoomEvent>(),
      isTerminal: (e) => e.type === 'deleted',
    }),
    conversations: stores.conversations,
    close: () => stores.close(),
  };
});

describe('the activity feed in PostgreSQL', () => {
  const opened = (i: number): ActivityEventInput => ({
    type: 'connection_opened',
    connectionId: `c${i}`,
    userId: `u${i % 3}`,
    ip: '127.0.0.1',
  });

  it('numbers events from several nodes at once contiguously, and reads them back in order', async () => {
    const url = await pg.database();
    const [a, b] = [await open(url), await open(url)];
    try {
      expect(await a.activity.lastSeq('activity')).toBe(0);
      const written = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          (i % 2 ? a : b).activity.append('activity', opened(i)),
        ),
      );
      expect(written.map((e) => e.seq).sort((x, y) => x - y)).toEqual(
        Array.from({ length: 40 }, (_, i) => i + 1),
      );
      const read = await b.activity.after('activity', 0, 100);
      expect(read.map((e) => e.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      // As written: the same event, its seq and its time, whichever node reads it.
      const bySeq = new Map(written.map((e) => [e.seq, e]));
      expect(read).toEqual(read.map((e) => bySeq.get(e.seq)));
      expect(await a.activity.lastSeq('activity')).toBe(40);
      expect((await a.activity.after('activity', 38, 10)).map((e) => e.seq)).toEqual([39, 40]);
      expect(await a.activity.ended('activity')).toBe(false);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('keeps a window of the newest events', async () => {
    const stores = await open();
    try {
      const feed = createFeedHistory(stores.store, { window: 30, log: () => {} });
      for (let i = 0; i < 205; i++) await feed.append('k', opened(i));
      // Trimmed at every hundredth event: after 200, what is older than 170 is gone.
      const kept = await feed.after('k', 0, 1_000);
      expect(kept.map((e) => e.seq)).toEqual(Array.from({ length: 35 }, (_, i) => i + 171));
      expect(await feed.lastSeq('k')).toBe(205);
    } finally {
      await stores.close();
    }
  });
});
