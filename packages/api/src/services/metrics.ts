// The admin's figures, read from the services' own counters: what `admin.metrics` answers and
// what the activity feed pushes whenever they change.
import type { Services } from '../context.ts';

export async function collectMetrics(services: Omit<Services, 'activity'>) {
  const live = [...services.connections.live];
  const [byStatus, queue, rooms] = await Promise.all([
    services.runs.countByStatus(),
    services.runs.stats(),
    services.presence.stats(),
  ]);
  return {
    at: new Date(),
    startedAt: new Date(services.startedAt),
    uptimeMs: Date.now() - services.startedAt,
    connections: live.length,
    users: new Set(live.flatMap((c) => (c.identity ? [c.identity.userId] : []))).size,
    subscriptions: live.reduce((n, c) => n + c.subscriptions, 0),
    runs: { byStatus, ...queue },
    workers: services.workers?.stats() ?? null,
    /** Rooms someone has open now, and the sessions open in them. */
    rooms,
    eventsPerSecond: services.eventRate.perSecond(),
    eventsTotal: services.eventRate.total,
    refusals: services.audit.refusals,
  };
}

export type Metrics = Awaited<ReturnType<typeof collectMetrics>>;

/** Whether two readings differ in anything but the clock. */
export function sameFigures(a: Metrics, b: Metrics): boolean {
  const { at: _a, uptimeMs: _u, ...restA } = a;
  const { at: _b, uptimeMs: _v, ...restB } = b;
  return JSON.stringify(restA) === JSON.stringify(restB);
}
