// This node as the cluster sees it: the report its heartbeat carries (connections, runs, events,
// refusals, Redis), and every node's report read back for the admin — this node's own figures
// fresh, the others' as of their last heartbeat. Alone, a server is a cluster of one.
import { RefusalKind } from '@querylane/contracts';
import type { NodePresence } from '@querylane/runs';
import { z } from 'zod';
import { roles } from '../identity.ts';
import type { Connection } from '../transport.ts';

/** Connections listed per node; the count is exact beyond it. */
export const MAX_LISTED_CONNECTIONS = 2_000;

const count = z.number().int().min(0);

export const ConnectionView = z.object({
  id: z.string().max(100),
  transport: z.enum(['ws', 'http']),
  userId: z.string().max(500).nullable(),
  role: z.enum(roles).nullable(),
  ip: z.string().max(200),
  since: z.coerce.date(),
  subscriptions: count,
});
export type ConnectionView = z.infer<typeof ConnectionView>;

/** A live connection as the admin sees it. */
export function connectionView(c: Connection): ConnectionView {
  return {
    id: c.id,
    transport: c.transport,
    userId: c.identity?.userId ?? null,
    role: c.identity?.role ?? null,
    ip: c.ip,
    since: c.since,
    subscriptions: c.subscriptions,
  };
}

export const RedisView = z.object({
  up: z.boolean(),
  outages: count,
  downSince: z.coerce.date().nullable(),
});
export type RedisView = z.infer<typeof RedisView>;

/** What a node says of itself in each heartbeat (read back by other nodes, so validated). */
export const NodeStatus = z.object({
  nodeId: z.string().min(1).max(64),
  version: z.string().max(50),
  startedAt: z.coerce.date(),
  running: count,
  peakRunning: count,
  concurrency: count,
  connectionCount: count,
  subscriptions: count,
  eventsPerSecond: z.number().min(0),
  eventsTotal: count,
  refusals: z.partialRecord(RefusalKind, count),
  redis: RedisView.nullable(),
  connections: z.array(ConnectionView).max(MAX_LISTED_CONNECTIONS),
});
export type NodeStatus = z.infer<typeof NodeStatus>;

export type NodeView = NodeStatus & {
  /** Whether its heartbeat is current (a node that stopped is listed gone for a while). */
  alive: boolean;
  /** The node that answered this call. */
  self: boolean;
  seenAt: Date;
};

export interface NodeDirectoryOptions {
  nodeId: string;
  heartbeatMs: number;
  startedAt: Date;
  /** Where nodes report themselves; none for a server on its own. */
  presence?: NodePresence | undefined;
  status: () => NodeStatus;
  log: (message: string, err?: unknown) => void;
}

export class NodeDirectory {
  readonly #opts: NodeDirectoryOptions;
  #timer: NodeJS.Timeout | undefined;
  #beating: Promise<void> | undefined;
  #failing = false;

  constructor(opts: NodeDirectoryOptions) {
    this.#opts = opts;
  }

  get nodeId(): string {
    return this.#opts.nodeId;
  }

  get startedAt(): Date {
    return this.#opts.startedAt;
  }

  /** Reports this node now and then every heartbeat, until `stop`. */
  async start(): Promise<void> {
    if (!this.#opts.presence || this.#timer) return;
    this.#timer = setInterval(() => void this.#beat(), this.#opts.heartbeatMs);
    this.#timer.unref();
    await this.#beat();
  }

  /** Stops reporting and leaves the list at once (a graceful stop, not a death). */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#beating;
    await this.#opts.presence?.leave(this.#opts.nodeId).catch((err: unknown) => {
      this.#opts.log('could not leave the list of nodes', err);
    });
  }

  /** Every node: this one first, then the others alive, then those gone recently. */
  async list(): Promise<NodeView[]> {
    const self: NodeView = { ...this.#opts.status(), alive: true, self: true, seenAt: new Date() };
    if (!this.#opts.presence) return [self];
    const others: NodeView[] = [];
    for (const node of await this.#opts.presence.list()) {
      if (node.nodeId === self.nodeId) continue;
      const parsed = NodeStatus.safeParse(node.report);
      if (!parsed.success) {
        this.#opts.log(`node ${node.nodeId} reported something unreadable; left out`);
        continue;
      }
      others.push({ ...parsed.data, alive: node.alive, self: false, seenAt: node.seenAt });
    }
    return [self, ...others];
  }

  #beat(): Promise<void> {
    const presence = this.#opts.presence;
    if (!presence || this.#beating) return this.#beating ?? Promise.resolve();
    this.#beating = presence
      .heartbeat({
        nodeId: this.#opts.nodeId,
        startedAt: this.#opts.startedAt,
        report: this.#opts.status(),
        ttlMs: this.#opts.heartbeatMs * 3,
      })
      .then(
        () => {
          if (this.#failing) this.#opts.log('heartbeats reach the cluster again');
          this.#failing = false;
        },
        (err: unknown) => {
          if (!this.#failing) this.#opts.log('a heartbeat failed; retrying', err);
          this.#failing = true;
        },
      )
      .finally(() => {
        this.#beating = undefined;
      });
    return this.#beating;
  }
}

/** The figures of the whole cluster: sums over the nodes that are alive. */
export function clusterFigures(nodes: readonly NodeView[]) {
  const alive = nodes.filter((n) => n.alive);
  const sum = (pick: (n: NodeView) => number) => alive.reduce((total, n) => total + pick(n), 0);
  const refusals = Object.fromEntries(
    RefusalKind.options.map((kind) => [kind, sum((n) => n.refusals[kind] ?? 0)]),
  ) as Record<RefusalKind, number>;
  const users = new Set(alive.flatMap((n) => n.connections.flatMap((c) => c.userId ?? [])));
  return {
    connections: sum((n) => n.connectionCount),
    users: users.size,
    subscriptions: sum((n) => n.subscriptions),
    running: sum((n) => n.running),
    eventsPerSecond: sum((n) => n.eventsPerSecond),
    eventsTotal: sum((n) => n.eventsTotal),
    refusals,
  };
}
