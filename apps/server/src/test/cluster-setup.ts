// One set of cluster daemons per test file (PostgreSQL, Redis and HAProxy, started once before
// its tests and stopped after), and clusters and clients that end with the test that made them.
import { afterAll, beforeAll, expect, vi } from 'vitest';
import {
  type Cluster,
  type ClusterClient,
  clusterClient,
  type Infra,
  landedOn,
  type Person,
  startCluster,
  startInfra,
} from './cluster.ts';
import { onCleanup } from './scope.ts';

export function useClusterInfra() {
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

  function client(c: Cluster, person: Person): ClusterClient {
    const made = clusterClient(c.url, person);
    onCleanup(() => made.close());
    return made;
  }

  /** A client of `person` whose socket the balancer put on `nodeId` (clients land round-robin). */
  const clientOn = async (c: Cluster, nodeId: string, person: Person = 'root') => {
    // A node busy with a heavy query on a loaded machine can miss health checks for a moment;
    // the balancer sends nobody there until it counts the node up again.
    await vi.waitFor(async () => expect(await infra.lb.up()).toContain(nodeId), {
      timeout: 30_000,
      interval: 50,
    });
    return landedOn(() => client(c, person), nodeId);
  };

  /** The daemons of this file, once `beforeAll` has started them. */
  return { infra: () => infra, cluster, client, clientOn };
}
