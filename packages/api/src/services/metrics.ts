// The admin's figures, read from the services' own counters: what `admin.metrics` answers and
// what the activity feed pushes whenever they change.
import type { Services } from '../context.ts';
import { clusterFigures } from './nodes.ts';

/** Figures of the whole cluster (the nodes alive, summed; one node alone is a cluster of one). */
export async function collectMetrics(services: Omit<Services, 'activity'>) {
  const [nodes, byStatus, queue, rooms] = await Promise.all([
    services.nodes.list(),
    services.runs.countByStatus(),
    services.runs.stats(),
    // A cluster's presence is in Redis: while it is away the other figures still count.
    services.presence.stats().catch(() => null),
  ]);
  const cluster = clusterFigures(nodes);
  return {
    at: new Date(),
    /** The node that answered. */
    nodeId: services.nodes.nodeId,
    startedAt: new Date(services.startedAt),
    uptimeMs: Date.now() - services.startedAt,
    connections: cluster.connections,
    users: cluster.users,
    subscriptions: cluster.subscriptions,
    runs: { byStatus, queued: queue.queued, running: cluster.running },
    /** This node's SQL workers. */
    workers: services.workers?.stats() ?? null,
    /** Rooms someone has open now, and the sessions open in them; null while unreadable. */
    rooms,
    eventsPerSecond: cluster.eventsPerSecond,
    eventsTotal: cluster.eventsTotal,
    refusals: cluster.refusals,
    redis: services.redisHealth(),
    nodes: nodes.map(({ connections: _list, refusals: _refusals, ...node }) => node),
  };
}

export type Metrics = Awaited<ReturnType<typeof collectMetrics>>;

/** Whether two readings differ in anything but the clock. */
export function sameFigures(a: Metrics, b: Metrics): boolean {
  // When each node was last heard from moves with every heartbeat: not a figure.
  const figures = ({ at: _at, uptimeMs: _up, nodes, ...rest }: Metrics) => ({
    ...rest,
    nodes: nodes.map(({ seenAt: _seen, ...node }) => node),
  });
  return JSON.stringify(figures(a)) === JSON.stringify(figures(b));
}
