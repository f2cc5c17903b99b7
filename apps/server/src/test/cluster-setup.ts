// One set of cluster daemons per test file (PostgreSQL, Redis and HAProxy, started once before
// its tests and stopped after), and clusters and clients that end with the test that made them.
import { afterAll, beforeAll } from 'vitest';
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
  const clientOn = (c: Cluster, nodeId: string, person: Person = 'root') =>
    landedOn(() => client(c, person), nodeId);

  /** The daemons of this file, once `beforeAll` has started them. */
  return { infra: () => infra, cluster, client, clientOn };
}
