// Rooms across nodes on a real Redis and a real PostgreSQL (both started by this file): the
// presence and room log contracts the in-process adapters pass, presence written on one node and
// watched on another (joins, expiry, typing, each change once), and a Redis restart under a
// watcher.
import { randomUUID } from 'node:crypto';
import { isTerminalRoomEvent, type RoomEvent, type RoomPresence } from '@querylane/contracts';
import { type RedisServer, startRedis } from '@querylane/daemons';
import { openPostgresStores } from '@querylane/db';
import { type PgTestServer, startPgTestServer } from '@querylane/db/testing';
import { createSequencedLog } from '@querylane/runs';
import { describePresence, describeRoomLog } from '@querylane/runs/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisBus } from './bus.ts';
import { RedisLiveChannel } from './channel.ts';
import { RedisPresence } from './presence.ts';

let pg: PgTestServer;
let redis: RedisServer;
beforeAll(async () => {
  [pg, redis] = await Promise.all([startPgTestServer(), startRedis()]);
}, 120_000);
afterAll(async () => {
  await Promise.all([pg?.stop(), redis?.stop()]);
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

const logged: string[] = [];
const HOUR = 3_600_000;

/** One node's connections to Redis, under `prefix` (nodes of one cluster share it). */
async function bus(prefix: string): Promise<RedisBus> {
  const b = await RedisBus.connect({
    url: redis.url,
    prefix,
    pollMs: 100,
    log: (message) => logged.push(message),
  });
  cleanups.push(() => b.close());
  return b;
}

describePresence('Redis', async () => {
  const b = await bus(randomUUID());
  return new RedisPresence(b, { log: (message) => logged.push(message) });
});

describeRoomLog('PostgreSQL room history + Redis', async () => {
  const stores = await openPostgresStores(await pg.database(), {
    nodeId: `n-${randomUUID().slice(0, 6)}`,
    leaseMs: 30_000,
    poolSize: 4,
    log: () => {},
  });
  const b = await bus(randomUUID());
  const live = new RedisLiveChannel<RoomEvent>(b, {
    kind: 'room',
    isTerminal: isTerminalRoomEvent,
    maxLen: 1_000,
    endedTtlMs: 60_000,
    idleTtlMs: 600_000,
    maxPendingPerKey: 1_000,
    log: (message) => logged.push(message),
  });
  return {
    log: createSequencedLog({ history: stores.roomHistory, live, isTerminal: isTerminalRoomEvent }),
    conversations: stores.conversations,
    async close() {
      await live.close();
      await stores.close();
    },
  };
});

describe('room presence between nodes', () => {
  it('shows on one node who joined, typed and left on another, each change once', async () => {
    const prefix = randomUUID();
    const [a, b] = [await bus(prefix), await bus(prefix)];
    const here = new RedisPresence(a, { log: () => {} });
    const there = new RedisPresence(b, { log: () => {} });
    cleanups.push(
      () => here.close(),
      () => there.close(),
    );
    const seen: RoomPresence[] = [];
    here.watch('room', (s) => seen.push(s));
    // The watch is in place once a write on this node has gone through.
    await here.typing('elsewhere', 'nobody', null);
    await there.heartbeat('room', { sessionId: 's1', userId: 'ana' }, HOUR);
    await there.heartbeat('room', { sessionId: 's2', userId: 'bo' }, 300);
    await there.typing('room', 'ana', HOUR);
    await expect.poll(() => seen.length).toBe(3);
    // Bo's session runs out with nobody leaving: a sweep on the watching node tells of it.
    await expect.poll(() => seen.at(-1)).toEqual({ present: ['ana'], typing: ['ana'] });
    await there.leave('room', 's1');
    await expect.poll(() => seen.at(-1)).toEqual({ present: [], typing: [] });
    expect(seen).toEqual([
      { present: ['ana'], typing: [] },
      { present: ['ana', 'bo'], typing: [] },
      { present: ['ana', 'bo'], typing: ['ana'] },
      { present: ['ana'], typing: ['ana'] },
      { present: [], typing: [] },
    ]);
    expect(await here.list('room')).toEqual({ present: [], typing: [] });
    expect(await there.stats()).toEqual({ rooms: 0, sessions: 0 });
  });

  it('tells a watcher what changed while Redis was away, once it is back', async () => {
    const prefix = randomUUID();
    const [a, b] = [await bus(prefix), await bus(prefix)];
    const here = new RedisPresence(a, { log: () => {} });
    const there = new RedisPresence(b, { log: () => {} });
    cleanups.push(
      () => here.close(),
      () => there.close(),
    );
    const seen: RoomPresence[] = [];
    here.watch('room', (s) => seen.push(s));
    await here.typing('elsewhere', 'nobody', null);
    await there.heartbeat('room', { sessionId: 's1', userId: 'ana' }, HOUR);
    await expect.poll(() => seen.at(-1)?.present).toEqual(['ana']);
    await redis.kill();
    await expect.poll(() => a.health.up).toBe(false);
    await expect(
      there.heartbeat('room', { sessionId: 's2', userId: 'bo' }, HOUR),
    ).rejects.toThrow();
    await redis.start();
    await expect.poll(() => a.health.up && b.health.up, { timeout: 20_000 }).toBe(true);
    // Redis came back empty (the tests' Redis keeps nothing): the watcher reads the room again
    // and finds nobody, until the sessions beat again (each does every third of its time).
    await expect.poll(() => seen.at(-1)?.present, { timeout: 20_000 }).toEqual([]);
    await there.heartbeat('room', { sessionId: 's2', userId: 'bo' }, HOUR);
    await expect.poll(() => seen.at(-1)?.present).toEqual(['bo']);
    expect(seen.map((s) => s.present)).toEqual([['ana'], [], ['bo']]);
  });
});
