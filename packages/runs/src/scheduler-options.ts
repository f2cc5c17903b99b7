// The scheduler's options and its policy for telling waiting runs their place in line: what
// a node passes in, and which moves of the line are worth an event.
import type { QueueEntry, RunQueue } from './ports.ts';

/** Abort reason when this node lost a run's lease: another node has taken it over to end it. */
export const LEASE_LOST_REASON = 'lease-lost';

/** How often a node on a shared queue renews, reaps and looks at the queue unprompted. */
export interface LeaseTiming {
  /** Renew the leases of running runs this often (well under the lease). */
  renewMs: number;
  /** Look for runs whose lease ran out this often. */
  reapMs: number;
  /** Claim and announce this often even without a signal (signals can be lost). */
  pollMs: number;
}

export interface SchedulerOptions {
  queue: RunQueue;
  concurrency: number;
  /** Runs one claimed run to its end; resolves true once its terminal event is stored. */
  execute(entry: QueueEntry, signal: AbortSignal): Promise<boolean>;
  /** Tells a waiting run its new place in line (1 runs next); resolves once it is stored. */
  announce(entry: QueueEntry, position: number): Promise<void>;
  /** Ends a run whose node stopped renewing its lease; resolves true once its end is stored. */
  endExpired(entry: QueueEntry): Promise<boolean>;
  /** Only for a shared queue. */
  leases?: LeaseTiming;
  log: (message: string, err?: unknown) => void;
}

/** An abort for a run this node has claimed but not started yet is kept this long. */
export const EARLY_ABORT_MS = 60_000;
/**
 * On a shared queue places in line are announced at most this often: a burst of starts and
 * claims across nodes moves every waiting run many times, and only where it ends up matters.
 */
export const ANNOUNCE_EVERY_MS = 200;
/** Places in line written at once (each is one run's own append). */
export const ANNOUNCE_PARALLEL = 8;
/** Places up to here are told at every change; further back, when they have halved. */
const ANNOUNCE_EXACT_UP_TO = 20;

/**
 * Whether a waiting run of a shared queue is told its new place. Near the front every move
 * counts; far back, a run hears of it when its place has halved (or it was pushed back a lot),
 * so a line of n runs costs O(n log n) events rather than O(n²) as each claim moves everyone up
 * by one. (Alone, a process tells every move: its writes are local and cheap.)
 */
export function worthAnnouncing(last: number | undefined, now: number): boolean {
  if (last === undefined) return true;
  if (now === last) return false;
  return now <= ANNOUNCE_EXACT_UP_TO || now <= last / 2 || now >= last * 2;
}

/** A run this node is executing. */
export interface Active {
  entry: QueueEntry;
  controller: AbortController;
  done: Promise<void>;
}

/**
 * Given the line as it stands and the places last told, what to remember (runs that left the
 * line, claimed here or elsewhere or removed, are forgotten) and which runs to tell again.
 */
export function placesToAnnounce(
  waiting: QueueEntry[],
  previous: Map<string, number>,
  shared: boolean,
): { announced: Map<string, number>; changed: [number, QueueEntry][] } {
  const announced = new Map<string, number>();
  for (const entry of waiting) {
    const before = previous.get(entry.runId);
    if (before !== undefined) announced.set(entry.runId, before);
  }
  // Shared, every write crosses the network to the database: far back, only halvings.
  const changed = [...waiting.entries()].filter(([i, entry]) => {
    const last = announced.get(entry.runId);
    return shared ? worthAnnouncing(last, i + 1) : last !== i + 1;
  });
  return { announced, changed };
}
