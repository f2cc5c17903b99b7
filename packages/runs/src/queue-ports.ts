// The ports of the run queue and of the nodes sharing it: which runs wait, which node holds
// which run under a lease, and which nodes are up. Re-exported by ports.ts.

// ─── Queue ──────────────────────────────────────────────────────────────────────────────────

export interface QueueEntry {
  runId: string;
  userId: string;
  conversationId: string;
}

/** What the nodes sharing a queue tell each other. */
export type QueueSignal =
  /** Work may be waiting, or the line moved: claim again, and announce places again. */
  | { type: 'changed' }
  /** The node holding `runId` is asked to abort it (a cancel that reached another node). */
  | { type: 'abort'; runId: string; reason: string };

/**
 * Runs waiting for a slot. `claim` hands out up to `n` in fair order: round-robin across
 * users, oldest first within a user. A claim is a lease that the claiming node renews while the
 * run executes; a queue shared by several nodes (PostgreSQL) lets a surviving node take over
 * the runs of one that stopped renewing, to end them. The in-process queue has no peers: its
 * leases never lapse and it has nobody to signal.
 */
export interface RunQueue {
  /** Puts a run in line; a run already in line stays where it is. */
  enqueue(entry: QueueEntry): Promise<void>;
  /** Up to `n` waiting runs, now held by this node. */
  claim(n: number): Promise<QueueEntry[]>;
  /** Takes waiting runs out (a cancel before start, a conversation deleted), in queue order. */
  remove(match: { runId: string } | { conversationId: string }): Promise<QueueEntry[]>;
  /** A run held here has ended; its slot and lease are free. */
  release(runId: string): Promise<void>;
  /** Every waiting run in the order `claim` would hand them out. */
  waiting(): Promise<QueueEntry[]>;
  /** Extends the leases of runs held here; returns those among them this node no longer holds. */
  renew(runIds: readonly string[]): Promise<string[]>;
  /**
   * Up to `limit` runs whose lease ran out (their node died or stalled), now held by this node so
   * that it ends them (`interrupted`) and releases them. Never the same run to two nodes.
   */
  expired(limit: number): Promise<QueueEntry[]>;
  /** Asks the nodes holding the matching runs to abort them; returns the run ids asked about. */
  abort(match: { runId: string } | { conversationId: string }, reason: string): Promise<string[]>;
  /** Signals from the other nodes sharing this queue; returns the unsubscribe function. */
  watch(listener: (signal: QueueSignal) => void): () => void;
  /** Whether this node tells waiting runs their place in line (one node at a time does). */
  announces(): Promise<boolean>;
  /**
   * Whether other processes share this queue. Then what is left unfinished at start belongs to
   * the cluster, not to a process that died: leases, not start-up recovery, end those runs.
   */
  readonly shared: boolean;
}

// ─── Nodes ──────────────────────────────────────────────────────────────────────────────────

/** One node of a cluster as it last reported itself. */
export interface NodeReport {
  nodeId: string;
  startedAt: Date;
  seenAt: Date;
  /** False once its heartbeat is overdue: it stopped or died (listed a while, then dropped). */
  alive: boolean;
  /** What the node said about itself (validated by whoever reads it). */
  report: unknown;
}

/**
 * Which nodes of a cluster are up and what they report: live state, not history. (Who has a
 * room open is `Presence`, in room-ports.ts.)
 */
export interface NodePresence {
  /** Records this node as alive with its report; it counts as gone after `ttlMs` without one. */
  heartbeat(node: {
    nodeId: string;
    startedAt: Date;
    report: unknown;
    ttlMs: number;
  }): Promise<void>;
  /** Nodes alive now, then those gone recently; oldest first within each. */
  list(): Promise<NodeReport[]>;
  /** A node that stops leaves at once, rather than when its heartbeat runs out. */
  leave(nodeId: string): Promise<void>;
}
