// Three server processes behind HAProxy on PostgreSQL and Redis (all real, started here): many
// users' runs through the balancer with subscribers on every node, a node killed with -9, Redis
// restarted mid-run, and a node restarted gracefully. Every subscriber must end with every event
// of its runs exactly once, in order, equal to what PostgreSQL stored. (Rooms across nodes:
// cluster-rooms.test.ts.)
import { expect, it } from 'vitest';
import {
  type ClusterClient,
  claims,
  isRunning,
  LEASE_MS,
  type Person,
  REAP_MS,
  TOKENS,
  watch,
} from './cluster.ts';
import { checkDeliveries, type Delivery, peakOverlap } from './cluster-check.ts';
import { useClusterInfra } from './cluster-setup.ts';
import { ENDLESS, subscribeAll } from './harness.ts';
import { until } from './scope.ts';

const { infra, cluster, client, clientOn } = useClusterInfra();

const PEOPLE = ['alice', 'bob', 'carol'] as const;
const RUNS_EACH = 8;
/** Streams rows for a moment, with a few `rows` events on the way. */
const SHORT = 'SELECT oi.id, oi.quantity, oi.unit_price FROM order_items oi LIMIT 40000';

it('runs many users’ runs across three nodes: fair, within limits, every event once everywhere', async () => {
  const c = await cluster({ env: { QUERYLANE_PROGRESS_MS: '5' } });
  const root = client(c, 'root');
  // Six runs that never end take the six slots (two per node), so everything after them waits
  // and the queue alone decides the order.
  const blockers: { runId: string }[] = [];
  for (let i = 0; i < 6; i++) blockers.push(await root.trpc.runs.start.mutate({ query: ENDLESS }));
  await until(async () => {
    const rows = await claims(
      c.observer,
      blockers.map((b) => b.runId),
    );
    expect(rows.filter((r) => r.status === 'running')).toHaveLength(6);
  });
  // Each person's first run in turn (that fixes the rotation), then all the rest at once.
  const starters = new Map(PEOPLE.map((person) => [person, client(c, person)]));
  const start = async (person: (typeof PEOPLE)[number]) => ({
    person,
    runId: (await starters.get(person)?.trpc.runs.start.mutate({ query: SHORT }))?.runId ?? '',
  });
  const runs: { person: Person; runId: string }[] = [];
  for (const person of PEOPLE) runs.push(await start(person));
  runs.push(
    ...(await Promise.all(
      PEOPLE.flatMap((person) => Array.from({ length: RUNS_EACH - 1 }, () => start(person))),
    )),
  );
  // Two subscribers per run, each person's on two sockets of their own through the balancer.
  const deliveries: Promise<Delivery & { client: ClusterClient }>[] = [];
  const sockets: ClusterClient[] = [];
  for (const person of PEOPLE) {
    for (const _ of [1, 2]) {
      const sub = client(c, person);
      sockets.push(sub);
      for (const run of runs.filter((r) => r.person === person)) {
        deliveries.push(
          subscribeAll(sub.trpc, run.runId).then((events) => ({ ...run, events, client: sub })),
        );
      }
    }
  }
  // Cancels reach the nodes holding the blockers, whichever node takes the request.
  for (const b of blockers) {
    expect(await root.trpc.runs.cancel.mutate({ runId: b.runId })).toEqual({
      runId: b.runId,
      status: 'cancelled',
    });
  }
  const results = await Promise.all(deliveries);
  const counts = await checkDeliveries(c.observer, results);

  const rows = await claims(
    c.observer,
    runs.map((r) => r.runId),
  );
  // Claimed round-robin across the three people, whichever node claimed each.
  expect(rows.map((r) => r.user_id)).toEqual(
    Array.from({ length: RUNS_EACH }, () => [...PEOPLE]).flat(),
  );
  expect(rows.every((r) => r.status === 'completed')).toBe(true);
  const ranOn = new Set(rows.map((r) => r.node_id));
  const socketNodes = new Set(sockets.map((s) => s.node()));
  // Runs ran on every node, subscribers sat on every node, and subscribers watched runs of
  // other nodes. How many is up to the balancer and which node claims what (the same person's
  // two sockets may land on one node), so the count is printed, not bounded beyond "some".
  expect(ranOn.size).toBe(3);
  expect(socketNodes.size).toBe(3);
  const crossNode = results.filter(
    (d) => d.client.node() !== rows.find((r) => r.id === d.runId)?.node_id,
  ).length;
  console.log(
    `cluster: ${crossNode} of ${results.length} subscriptions watched another node's run`,
  );
  expect(crossNode).toBeGreaterThan(0);

  // No node ever ran more than its limit: what each reports, and what the store shows.
  const metrics = await root.trpc.admin.metrics.query();
  expect(metrics.nodes.map((n) => n.nodeId).sort()).toEqual(['node-1', 'node-2', 'node-3']);
  for (const node of metrics.nodes) {
    expect(node.concurrency).toBe(2);
    expect(node.peakRunning).toBe(2);
  }
  const all = await claims(
    c.observer,
    [...runs, ...blockers].map((r) => r.runId),
  );
  for (const node of ranOn) {
    expect(peakOverlap(all.filter((r) => r.node_id === node))).toBeLessThanOrEqual(2);
  }
  const connections = await root.trpc.admin.connections.query();
  expect(new Set(connections.map((conn) => conn.node))).toEqual(socketNodes);
  console.log(
    `cluster: ${JSON.stringify({ nodes: 3, ...counts, crossNodeSubscribers: crossNode })}`,
  );
}, 300_000);

it('ends the runs of a node killed with -9 as interrupted; its subscriber and its queue go on elsewhere', async () => {
  const c = await cluster();
  const root = client(c, 'root');
  const endless = await Promise.all(
    Array.from({ length: 6 }, () => root.trpc.runs.start.mutate({ query: ENDLESS })),
  );
  const endlessIds = endless.map((r) => r.runId);
  let held: Awaited<ReturnType<typeof claims>> = [];
  await until(async () => {
    held = await claims(c.observer, endlessIds);
    expect(held.filter((r) => r.status === 'running')).toHaveLength(6);
  });
  const victimId = held[0]?.node_id ?? '';
  const victim = c.nodes.find((n) => n.nodeId === victimId);
  const victimRuns = held.filter((r) => r.node_id === victimId).map((r) => r.id);
  const survivorRuns = held.filter((r) => r.node_id !== victimId).map((r) => r.id);
  expect(victimRuns).toHaveLength(2);
  // Waiting behind the six: they can only run once slots free up on the survivors.
  const waiting = await Promise.all(
    [1, 2, 3].map((n) => root.trpc.runs.start.mutate({ query: `SELECT ${n} AS n` })),
  );
  const waitingIds = waiting.map((r) => r.runId);
  const watcher = await clientOn(c, victimId);
  const watched = watch(watcher, [victimRuns[0] ?? '', survivorRuns[0] ?? '', ...waitingIds]);
  await until(() => expect(watched.seen.get(victimRuns[0] ?? '')?.some(isRunning)).toBe(true));

  const killedAt = Date.now();
  await victim?.crash();
  await until(async () => {
    const rows = await claims(c.observer, victimRuns);
    expect(rows.map((r) => r.status)).toEqual(['interrupted', 'interrupted']);
  }, 60_000);
  const ends = await Promise.all(
    victimRuns.map(async (id) => (await c.observer.history.after(id, 0, 1_000_000)).at(-1)),
  );
  for (const end of ends) expect(end?.type === 'failed' && end.error.code).toBe('INTERRUPTED');
  const elapsed = Math.max(...ends.map((e) => (e?.at.getTime() ?? 0) - killedAt));
  // Within the lease and one reaper interval, with room for a machine under heavy load.
  expect(elapsed).toBeLessThan(LEASE_MS + REAP_MS + 10_000);
  const enders = await claims(c.observer, victimRuns);
  expect(enders.every((r) => r.node_id !== victimId)).toBe(true);

  // Slots free up on the survivors: the waiting runs run there.
  for (const runId of survivorRuns) {
    expect((await root.trpc.runs.cancel.mutate({ runId })).status).toBe('cancelled');
  }
  const counts = await checkDeliveries(c.observer, await watched.done);
  expect(watcher.nodes()[0]).toBe(victimId);
  expect(watcher.node()).not.toBe(victimId);
  const ran = await claims(c.observer, waitingIds);
  expect(ran.map((r) => r.status)).toEqual(['completed', 'completed', 'completed']);
  expect(ran.every((r) => r.node_id !== victimId)).toBe(true);

  // New runs work.
  const again = await root.trpc.runs.start.mutate({ query: 'SELECT 7 AS n' });
  const done = (await subscribeAll(root.trpc, again.runId)).at(-1);
  expect(done?.type === 'completed' && done.result.rows).toEqual([[7]]);
  console.log(
    `kill -9: ${victimId}'s runs interrupted ${elapsed} ms after the kill (lease ${LEASE_MS} ms + reaper ${REAP_MS} ms); ${JSON.stringify(counts)}`,
  );
}, 300_000);

// Streams all 219,551 order items through a join, reporting rows every few ms.
const STREAMING = `SELECT oi.id, oi.quantity, oi.unit_price, o.status, o.channel
FROM order_items oi JOIN orders o ON o.id = oi.order_id`;

it('keeps every subscriber whole through a Redis restart mid-run, and reports the outage', async () => {
  const c = await cluster({ env: { QUERYLANE_PROGRESS_MS: '5' } });
  const root = client(c, 'root');
  const runIds: string[] = [];
  for (let i = 0; i < 9; i++) {
    runIds.push((await root.trpc.runs.start.mutate({ query: STREAMING })).runId);
  }
  const watchers = [0, 1, 2].map(() => watch(client(c, 'root'), runIds));
  const received = () =>
    watchers.reduce((n, w) => n + [...w.seen.values()].reduce((m, e) => m + e.length, 0), 0);
  await until(() => expect(received()).toBeGreaterThan(60));

  await infra().redis.kill();
  await until(async () => {
    const metrics = await root.trpc.admin.metrics.query();
    expect(metrics.nodes.filter((n) => n.alive).map((n) => n.redis?.up)).toEqual([
      false,
      false,
      false,
    ]);
  });
  // Runs go on, and subscribers get their events from PostgreSQL meanwhile.
  const during = received();
  await until(() => expect(received()).toBeGreaterThan(during));
  await infra().redis.start();

  const results = (await Promise.all(watchers.map((w) => w.done))).flat();
  const counts = await checkDeliveries(c.observer, results);
  const rows = await claims(c.observer, runIds);
  expect(rows.every((r) => r.status === 'completed')).toBe(true);
  await until(async () => {
    const metrics = await root.trpc.admin.metrics.query();
    for (const node of metrics.nodes.filter((n) => n.alive)) {
      expect(node.redis?.up).toBe(true);
      expect(node.redis?.outages).toBe(1);
    }
  });
  for (const node of c.nodes) {
    expect(node.output()).toContain('is unreachable');
    expect(node.output()).toContain('is back after');
    // Each node's /metrics names it, and counts the outage it lived through.
    const res = await fetch(`${node.url}/metrics`, {
      headers: { authorization: `Bearer ${TOKENS.root}` },
    });
    const text = await res.text();
    expect(text).toContain(`querylane_redis_up{node="${node.nodeId}"} 1`);
    expect(text).toContain(`querylane_redis_outages_total{node="${node.nodeId}"} 1`);
    expect(text).toContain(`querylane_runs_executing{node="${node.nodeId}"} 0`);
  }
  console.log(`redis restart: ${JSON.stringify(counts)}`);
}, 300_000);

// A recursive count that keeps a worker busy for a moment.
const BUSY = `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 4000000)
SELECT count(*) AS n FROM c`;

it('restarts one node gracefully: its run finishes, its clients resume on another node', async () => {
  const c = await cluster({
    env: { QUERYLANE_MAX_CONCURRENT_RUNS: '1', QUERYLANE_SHUTDOWN_GRACE_MS: '120000' },
  });
  const root = client(c, 'root');
  const busy = await Promise.all([1, 2, 3].map(() => root.trpc.runs.start.mutate({ query: BUSY })));
  const busyIds = busy.map((r) => r.runId);
  let held: Awaited<ReturnType<typeof claims>> = [];
  await until(async () => {
    held = await claims(c.observer, busyIds);
    expect(held.filter((r) => r.status === 'running')).toHaveLength(3);
  });
  const waiting = await root.trpc.runs.start.mutate({ query: 'SELECT 7 AS n' });
  const leavingId = held[0]?.node_id ?? '';
  const leaving = c.nodes.find((n) => n.nodeId === leavingId);
  const watcher = await clientOn(c, leavingId);
  const watched = watch(watcher, [...busyIds, waiting.runId]);
  await until(() => expect(watched.seen.get(held[0]?.id ?? '')?.some(isRunning)).toBe(true));

  const stopped = leaving?.stop(180_000);
  const counts = await checkDeliveries(c.observer, await watched.done);
  await stopped;
  expect(await leaving?.exited).toEqual({ code: 0, signal: null });
  const after = await claims(c.observer, [...busyIds, waiting.runId]);
  expect(after.map((r) => r.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
  // The leaving node finished what it had; the waiting run ran on another one.
  expect(after.find((r) => r.id === held[0]?.id)?.node_id).toBe(leavingId);
  expect(after.find((r) => r.id === waiting.runId)?.node_id).not.toBe(leavingId);
  expect(watcher.nodes()[0]).toBe(leavingId);
  expect(watcher.node()).not.toBe(leavingId);
  const metrics = await root.trpc.admin.metrics.query();
  expect(metrics.nodes.filter((n) => n.alive).map((n) => n.nodeId)).not.toContain(leavingId);

  // Back on its port, it takes work again.
  await c.restart(c.nodes.findIndex((n) => n.nodeId === leavingId));
  await until(async () => {
    const m = await root.trpc.admin.metrics.query();
    expect(m.nodes.filter((n) => n.alive)).toHaveLength(3);
  });
  console.log(`graceful restart: ${JSON.stringify(counts)}`);
}, 300_000);
