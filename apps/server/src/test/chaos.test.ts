// The seam under fire: sockets destroyed at random moments while many runs stream many events.
// Every subscriber must end with every seq exactly once, in order, equal to the stored replay.
import type { RunEventOutput } from '@querylane/api';
import { expect, it } from 'vitest';
import { storedEvents, subscribeAll } from './harness.ts';
import { testClient, testServer } from './scope.ts';

/** Small seeded PRNG, so a failing schedule of drops can be replayed. */
function mulberry32(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const RUNS = 24;
const CLIENTS = 2;
// Streams all 219,551 order items through a join three times over (658,653 rows), reporting
// every 5 ms: with warm workers one pass took about 250 ms on CI, too short to give each run
// 50 events; three passes leave room for a machine twice as fast.
const STREAMING = `SELECT oi.id, oi.quantity, oi.unit_price, o.status, o.channel, pass.n
FROM order_items oi JOIN orders o ON o.id = oi.order_id
CROSS JOIN (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3) pass`;

it('delivers every event exactly once, in order, through hundreds of dropped sockets', async () => {
  const server = await testServer({ progressMs: 5, maxConcurrentRuns: 2 });
  const clients = Array.from({ length: CLIENTS }, () => testClient(server.url));
  const seed = Number(process.env.CHAOS_SEED ?? 20261121);
  const random = mulberry32(seed);

  const runIds: string[] = [];
  for (let i = 0; i < RUNS; i++) {
    const query = i % 4 === 3 ? 'SELECT count(*) AS n FROM order_items' : STREAMING;
    const { runId } = await clients[0]!.trpc.runs.start.mutate({ query });
    runIds.push(runId);
  }
  let finished = false;
  // Drops come from a timer and from the stream itself (right after an event arrives), so
  // they land both between events and in the middle of bursts.
  const subscriptions = clients.flatMap((c) =>
    runIds.map(async (runId) => ({
      runId,
      events: await subscribeAll(c.trpc, runId, {
        onEvent: () => {
          if (random() < 0.05) dropOne();
        },
      }),
    })),
  );

  let drops = 0;
  const dropOne = () => {
    const live = [...server.wss.clients];
    const victim = live[Math.floor(random() * live.length)];
    if (victim && !finished) {
      victim.terminate();
      drops += 1;
    }
  };
  const chaos = (async () => {
    while (!finished) {
      await new Promise((r) => setTimeout(r, 1 + random() * 15));
      dropOne();
    }
  })();
  const results = await Promise.all(subscriptions);
  finished = true;
  await chaos;

  let delivered = 0;
  let lost = 0;
  let duplicated = 0;
  const storedByRun = new Map(
    await Promise.all(runIds.map(async (id) => [id, await storedEvents(server, id)] as const)),
  );
  for (const { runId, events } of results) {
    const stored = storedByRun.get(runId) ?? [];
    delivered += events.length;
    const seqs = events.map((e) => e.seq);
    duplicated += seqs.length - new Set(seqs).size;
    lost += stored.length - new Set(seqs).size;
    expect(seqs).toEqual(stored.map((_, i) => i + 1));
    expect(events).toEqual(stored);
    expect(events.at(-1)?.type).toBe('completed');
  }
  const storedTotal = [...storedByRun.values()].reduce((n, e) => n + e.length, 0);
  const figures = {
    seed,
    runs: RUNS,
    subscribers: results.length,
    storedTotal,
    delivered,
    drops,
    lost,
    duplicated,
  };
  console.log(`chaos: ${JSON.stringify(figures)}`);
  expect(lost).toBe(0);
  expect(duplicated).toBe(0);
  expect(delivered).toBe(storedTotal * CLIENTS);
  expect(drops).toBeGreaterThanOrEqual(150);
  expect(storedTotal).toBeGreaterThanOrEqual(RUNS * 50);
  const types = new Set([...storedByRun.values()].flat().map((e: RunEventOutput) => e.type));
  expect([...types].sort()).toEqual(['completed', 'plan', 'queued', 'rows', 'stage', 'started']);
});
