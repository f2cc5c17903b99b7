// The Redis live channel on a real Redis and a real PostgreSQL (both started by this file): the
// event log contract, a replay window that falls back to the database, idempotent appends, live
// delivery between nodes, and a Redis killed and restarted under running writers and readers.
import { randomUUID } from 'node:crypto';
import type { RunEvent } from '@querylane/contracts';
import { type RedisServer, startRedis } from '@querylane/daemons';
import { openPostgresStores } from '@querylane/db';
import { type PgTestServer, startPgTestServer } from '@querylane/db/testing';
import { createEventLog, type EventLog } from '@querylane/runs';
import { describeEventLog, eventAt, seedRun, stageEvent } from '@querylane/runs/testing';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RedisChannelOptions, RedisLiveChannel } from './channel.ts';

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
const options = (prefix: string, more: Partial<RedisChannelOptions> = {}): RedisChannelOptions => ({
  url: redis.url,
  prefix,
  maxLen: 10_000,
  endedTtlMs: 60_000,
  idleTtlMs: 600_000,
  pollMs: 100,
  maxPendingPerRun: 10_000,
  log: (message) => logged.push(message),
  ...more,
});

/** A node: its own PostgreSQL connections (as `nodeId`) and its own Redis connections. */
async function node(url: string, prefix: string, more: Partial<RedisChannelOptions> = {}) {
  const stores = await openPostgresStores(url, {
    nodeId: `n-${randomUUID().slice(0, 6)}`,
    leaseMs: 30_000,
    poolSize: 4,
    log: () => {},
  });
  const live = await RedisLiveChannel.connect(options(prefix, more));
  const log = createEventLog({ history: stores.history, live });
  const close = async () => {
    await live.close();
    await stores.close();
  };
  return { stores, live, log, close };
}

async function rawRedis() {
  const client = createClient({ url: redis.url });
  client.on('error', () => {});
  await client.connect();
  cleanups.push(async () => void (await client.close().catch(() => {})));
  return client;
}

const cancelled = (runId: string, seq: number): RunEvent =>
  eventAt(runId, seq, { type: 'cancelled', reason: 'test' });

async function collect(events: AsyncIterable<RunEvent>): Promise<number[]> {
  const seen: number[] = [];
  for await (const event of events) seen.push(event.seq);
  return seen;
}

describeEventLog('PostgreSQL history + Redis Streams', async () => {
  const n = await node(await pg.database(), randomUUID());
  return { log: n.log, runs: n.stores.runs, close: n.close };
});

describe('Redis live channel', () => {
  const append = (log: EventLog, runId: string, event: RunEvent) =>
    log.append(runId, [event], {
      lastSeq: event.seq,
      ...(event.type === 'cancelled' ? { status: 'cancelled' as const } : {}),
    });

  it('replays from the stream, and from PostgreSQL what the stream lost or trimmed', async () => {
    const prefix = randomUUID();
    const a = await node(await pg.database(), prefix, { endedTtlMs: 45_000 });
    cleanups.push(a.close);
    const raw = await rawRedis();
    await seedRun(a.stores, { runId: 'r1' });
    for (let seq = 2; seq <= 20; seq++) await append(a.log, 'r1', stageEvent('r1', seq));
    const key = `${prefix}:run:r1:events`;
    // `started` is stored by runs.start, never published; everything after it is in the stream.
    expect(await raw.xLen(key)).toBe(19);
    expect((await a.live.recent('r1', 4, 3)).map((e) => e.seq)).toEqual([5, 6, 7]);
    // A reader that resumes within the window reads it from Redis, and asks PostgreSQL only
    // whether anything was stored after the window's end.
    const asked: number[] = [];
    const counted = createEventLog({
      history: {
        ...a.stores.history,
        after: (runId, afterSeq, limit) => {
          asked.push(afterSeq);
          return a.stores.history.after(runId, afterSeq, limit);
        },
      },
      live: a.live,
    });
    expect(await collect(counted.read('r1', 10, AbortSignal.timeout(100)))).toEqual(
      Array.from({ length: 10 }, (_, i) => i + 11),
    );
    expect(asked).toEqual([20]);
    await raw.xTrim(key, 'MINID', '15-0');
    expect(await collect(a.log.read('r1', 0, AbortSignal.timeout(100)))).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    await append(a.log, 'r1', cancelled('r1', 21));
    const ttl = await raw.pTTL(key);
    expect(ttl).toBeGreaterThan(30_000);
    expect(ttl).toBeLessThanOrEqual(45_000);
    await raw.del(key);
    expect(await collect(a.log.read('r1', 10))).toEqual(
      Array.from({ length: 11 }, (_, i) => i + 11),
    );
  });

  it('adds each seq once, and nothing after the end', async () => {
    const prefix = randomUUID();
    const a = await node(await pg.database(), prefix);
    cleanups.push(a.close);
    const raw = await rawRedis();
    const key = `${prefix}:run:r1:events`;
    const events = [stageEvent('r1', 2), stageEvent('r1', 3)];
    await a.live.publish('r1', events);
    await a.live.publish('r1', events);
    await a.live.publish('r1', [stageEvent('r1', 3), stageEvent('r1', 4)]);
    expect(((await raw.xRange(key, '-', '+')) ?? []).map((e) => e.id)).toEqual([
      '2-0',
      '3-0',
      '4-0',
    ]);
    await a.live.publish('r1', [cancelled('r1', 5)]);
    await a.live.publish('r1', [stageEvent('r1', 6)]);
    expect(((await raw.xRange(key, '-', '+')) ?? []).map((e) => e.id)).toEqual([
      '2-0',
      '3-0',
      '4-0',
      '5-0',
    ]);
  });

  it('delivers a run written on one node to readers on another, live and in order', async () => {
    const prefix = randomUUID();
    const url = await pg.database();
    const [a, b] = [await node(url, prefix), await node(url, prefix)];
    cleanups.push(a.close, b.close);
    await seedRun(a.stores, { runId: 'r1' });
    const readers = [0, 0, 5].map((after) => collect(b.log.read('r1', after)));
    await expect.poll(() => b.live.listenerCount('r1')).toBe(3);
    for (let seq = 2; seq < 40; seq++) await append(a.log, 'r1', stageEvent('r1', seq));
    await append(a.log, 'r1', cancelled('r1', 40));
    const all = Array.from({ length: 40 }, (_, i) => i + 1);
    expect(await Promise.all(readers)).toEqual([all, all, all.slice(5)]);
    expect(b.live.listenerCount()).toBe(0);
  });

  it('keeps runs and readers going through a Redis restart: no gap, no duplicate, outage reported', async () => {
    const prefix = randomUUID();
    const url = await pg.database();
    const [a, b] = [await node(url, prefix), await node(url, prefix)];
    cleanups.push(a.close, b.close);
    await seedRun(a.stores, { runId: 'r1' });
    const readers = [collect(b.log.read('r1', 0)), collect(a.log.read('r1', 0))];
    await expect.poll(() => b.live.listenerCount('r1') + a.live.listenerCount('r1')).toBe(2);
    let seq = 1;
    const write = async (n: number) => {
      for (let i = 0; i < n; i++) {
        seq += 1;
        await append(a.log, 'r1', stageEvent('r1', seq));
      }
    };
    await write(10);
    await redis.kill();
    // Every append still succeeds: the events are in PostgreSQL before Redis is asked.
    await write(10);
    await expect.poll(() => a.live.health.up).toBe(false);
    await write(5);
    await redis.start();
    await expect.poll(() => a.live.health.up && b.live.health.up, { timeout: 20_000 }).toBe(true);
    await write(10);
    seq += 1;
    await append(a.log, 'r1', cancelled('r1', seq));
    const all = Array.from({ length: seq }, (_, i) => i + 1);
    expect(await Promise.all(readers)).toEqual([all, all]);
    expect(a.live.health.outages).toBe(1);
    expect(b.live.health.outages).toBe(1);
    expect(logged.some((m) => m.includes('is unreachable'))).toBe(true);
    expect(logged.some((m) => m.includes('is back after'))).toBe(true);
    // What could not be published during the outage reached the new Redis when it came back.
    const raw = await rawRedis();
    expect(await raw.xLen(`${prefix}:run:r1:events`)).toBeGreaterThan(0);
  });

  it('publishes, once Redis is back, what a run stored while it was away', async () => {
    const prefix = randomUUID();
    const url = await pg.database();
    const [a, b] = [await node(url, prefix), await node(url, prefix)];
    cleanups.push(a.close, b.close);
    await seedRun(a.stores, { runId: 'r1' });
    const reader = collect(b.log.read('r1', 0));
    await expect.poll(() => b.live.listenerCount('r1')).toBe(1);
    await append(a.log, 'r1', stageEvent('r1', 2));
    await redis.kill();
    await expect.poll(() => a.live.health.up).toBe(false);
    // The run ends while Redis is away: its last events are only in PostgreSQL.
    for (const seq of [3, 4, 5]) await append(a.log, 'r1', stageEvent('r1', seq));
    await append(a.log, 'r1', cancelled('r1', 6));
    expect(await reader).toEqual([1, 2, 3, 4, 5, 6]);
    await redis.start();
    // Nothing is appended any more; coming back, the writer publishes what it kept.
    const raw = await rawRedis();
    await expect
      .poll(
        async () =>
          ((await raw.xRange(`${prefix}:run:r1:events`, '-', '+')) ?? []).map((e) => e.id),
        {
          timeout: 20_000,
        },
      )
      .toEqual(['3-0', '4-0', '5-0', '6-0']);
  });
});
