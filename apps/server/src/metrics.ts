// GET /metrics in Prometheus text format. Every figure is read from the services' own counters at
// scrape time, so /metrics and admin.metrics never disagree.
import type { ConnectionDirectory, Services } from '@querylane/api';
import { RefusalKind, RunStatus } from '@querylane/contracts';
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Authenticator } from './auth.ts';

export function createMetricsRegistry(
  services: Services,
  connections: ConnectionDirectory,
  auth: Pick<Authenticator, 'keyFailures'>,
): Registry {
  const registry = new Registry();
  // Every series names the node it came from: a cluster is scraped node by node.
  registry.setDefaultLabels({ node: services.nodes.nodeId });
  collectDefaultMetrics({ register: registry });

  new Gauge({
    name: 'querylane_connections',
    help: 'Open WebSocket connections.',
    registers: [registry],
    collect() {
      this.set(connections.live.size);
    },
  });
  new Gauge({
    name: 'querylane_subscriptions',
    help: 'Open subscriptions over all connections.',
    registers: [registry],
    collect() {
      let n = 0;
      for (const c of connections.live) n += c.subscriptions;
      this.set(n);
    },
  });
  new Gauge({
    name: 'querylane_room_sessions',
    help: 'Views of shared rooms open now (a person with two tabs has two), and rooms with any.',
    labelNames: ['what'],
    registers: [registry],
    async collect() {
      // Absent while the presence store (a cluster's Redis) cannot be read: the rest still goes.
      this.reset();
      const stats = await services.presence.stats().catch(() => null);
      if (!stats) return;
      this.set({ what: 'sessions' }, stats.sessions);
      this.set({ what: 'rooms' }, stats.rooms);
    },
  });
  new Gauge({
    name: 'querylane_runs',
    help: 'Runs in the history store, by status.',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const counts = await services.runs.countByStatus();
      for (const status of RunStatus.options) this.set({ status }, counts[status]);
    },
  });
  new Gauge({
    name: 'querylane_sql_workers',
    help: 'SQL worker processes by state (idle, busy), and since start (forked, killed, died).',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const stats = services.workers?.stats();
      if (!stats) return;
      for (const state of ['idle', 'busy', 'forked', 'killed', 'died'] as const) {
        this.set({ state }, stats[state]);
      }
    },
  });
  new Gauge({
    name: 'querylane_runs_executing',
    help: 'Runs executing on this node now.',
    registers: [registry],
    collect() {
      this.set(services.runs.load().running);
    },
  });
  new Gauge({
    name: 'querylane_redis_up',
    help: 'Whether this node reaches Redis (1) or not (0); absent without a cluster.',
    registers: [registry],
    collect() {
      const redis = services.redisHealth();
      if (redis) this.set(redis.up ? 1 : 0);
    },
  });
  new Counter({
    name: 'querylane_redis_outages_total',
    help: 'Times this node lost Redis since it started.',
    registers: [registry],
    collect() {
      const redis = services.redisHealth();
      this.reset();
      if (redis) this.inc(redis.outages);
    },
  });
  // Counters owned by the services: each scrape copies their totals (reset, then inc), as
  // prom-client counters cannot be set.
  new Counter({
    name: 'querylane_run_events_total',
    help: 'Run events published since the server started.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(services.eventRate.total);
    },
  });
  new Counter({
    name: 'querylane_refusals_total',
    help: 'Calls and connections refused since the server started, by kind.',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      const refusals = services.audit.refusals;
      this.reset();
      for (const kind of RefusalKind.options) this.inc({ kind }, refusals[kind]);
    },
  });
  new Counter({
    name: 'querylane_auth_key_failures_total',
    help: 'Tokens that could not be checked because the JWT keys could not be fetched.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(auth.keyFailures);
    },
  });
  return registry;
}
