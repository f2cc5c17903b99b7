// Three server processes behind HAProxy on PostgreSQL and Redis (all real, started here): many
// users' runs through the balancer with subscribers on every node, a node killed with -9, Redis
// restarted mid-run, and a node restarted gracefully. Every subscriber must end with every event
// of its runs exactly once, in order, equal to what PostgreSQL stored.
import type { RunEventOutput } from '@querylane/api';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type Cluster,
  claims,
  clusterClient,
  type Infra,
  startCluster,
  startInfra,
} from './cluster.ts';
import { subscribeAll } from './harness.ts';
import { onCleanup, until } from './scope.ts';

let infra: Infra;
beforeAll(async () => {
  infra = await startInfra(3);
}, 180_000);
afterAll(async () => {
  await infra?.stop();
});

async function cluster(opts?: Parameters<typeof startCluster>[1]): Promise<Cluster> {
  const c = await startCluster(infra, opts);
  onCleanup(() => c.stop());
  return c;
}

it('smoke: a run through the balancer', async () => {
  const c = await cluster();
  const alice = clusterClient(c.url, 'alice');
  onCleanup(() => alice.close());
  const { runId } = await alice.trpc.runs.start.mutate({ query: 'SELECT 42 AS n' });
  const events: RunEventOutput[] = await subscribeAll(alice.trpc, runId);
  const end = events.at(-1);
  expect(end?.type === 'completed' && end.result.rows).toEqual([[42]]);
  const stored = await c.observer.history.after(runId, 0, 1000);
  expect(events).toEqual(stored);
  console.log(await claims(c.observer, [runId]), alice.nodes());
  await until(() => expect(alice.node()).toBeDefined());
});
