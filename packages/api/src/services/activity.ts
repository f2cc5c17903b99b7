// The admin's live feed: runs that ended, refusals, connections opened and closed, restarts, as
// a log under one key (a bounded window: in this process's memory, or a cluster's PostgreSQL),
// plus the figures, pushed to every dashboard whenever they change instead of each one polling.
import type { ActivityEvent, ActivityEventInput } from '@querylane/contracts';
import {
  type ActivityHistory,
  type ActivityLog,
  createSequencedLog,
  type LiveChannel,
  MemoryLiveChannel,
  RingHistory,
  withSignals,
} from '@querylane/runs';
import type { Connection } from '../transport.ts';
import { type Metrics, sameFigures } from './metrics.ts';

const KEY = 'activity';
/** Events a dashboard that reconnects can catch up on (one process alone). */
const WINDOW = 10_000;
/** What a dashboard that opens (rather than resumes) sees of the past. */
const RECENT = 50;

/** What `admin.activity` carries: what happened (stored in the window), and the figures (not). */
export type ActivityItem = ActivityEvent | { type: 'metrics'; metrics: Metrics };

export class ActivityFeed {
  readonly #log: ActivityLog;
  readonly #metrics: () => Promise<Metrics>;
  readonly #tickMs: number;
  readonly #logError: (message: string, err?: unknown) => void;
  readonly #watchers = new Set<(m: Metrics) => void>();
  readonly #announced = new WeakSet<Connection>();
  #last: Metrics | undefined;
  #timer: NodeJS.Timeout | undefined;
  #ticking = false;

  constructor(opts: {
    metrics: () => Promise<Metrics>;
    /** How often figures are read while a dashboard is open; sent only when they changed. */
    tickMs: number;
    live?: LiveChannel<ActivityEvent>;
    /** Shared by a cluster's nodes; numbered for good, so resuming needs no trick. */
    history?: ActivityHistory;
    logError: (message: string, err?: unknown) => void;
  }) {
    this.#log = createSequencedLog({
      history: opts.history ?? memoryWindow(),
      live: opts.live ?? new MemoryLiveChannel<ActivityEvent>(),
      isTerminal: () => false,
    });
    this.#metrics = opts.metrics;
    this.#tickMs = opts.tickMs;
    this.#logError = opts.logError;
  }

  /** Never rejects: the feed is a view of what happened, not a part of it. */
  record(input: ActivityEventInput): Promise<void> {
    return this.#log.append(KEY, input).then(
      () => undefined,
      (err: unknown) => this.#logError('activity feed: an event was lost', err),
    );
  }

  /** A socket whose caller is known (or known to be nobody). Announced once. */
  opened(conn: Connection): void {
    if (this.#announced.has(conn)) return;
    this.#announced.add(conn);
    void this.record({
      type: 'connection_opened',
      connectionId: conn.id,
      userId: conn.identity?.userId ?? null,
      ip: conn.ip,
    });
  }

  /** Only for sockets whose opening was announced, so the two always pair up. */
  closed(conn: Connection): void {
    if (!this.#announced.has(conn)) return;
    void this.record({
      type: 'connection_closed',
      connectionId: conn.id,
      userId: conn.identity?.userId ?? null,
      ip: conn.ip,
      durationMs: Math.max(0, Date.now() - conn.since.getTime()),
    });
  }

  /**
   * Events after `afterSeq` (a resume, or `start()` for a dashboard that opens), then live, with
   * the figures now and whenever they change.
   */
  async *stream(afterSeq: number, signal?: AbortSignal): AsyncGenerator<ActivityItem> {
    const merged = withSignals<ActivityEvent, Metrics>(
      (stop) => this.#log.read(KEY, afterSeq, stop),
      (push) => this.#watch(push),
      signal,
    );
    for await (const item of merged) {
      yield 'event' in item ? item.event : { type: 'metrics', metrics: item.signal };
    }
  }

  listenerCount(): number {
    return this.#log.listenerCount(KEY);
  }

  /** Where a stream that is not resuming starts: a few events back, within the window. */
  async start(): Promise<number> {
    // Older than the window, `after` simply starts at the window's oldest.
    return Math.max(0, (await this.#log.lastSeq(KEY)) - RECENT);
  }

  #watch(push: (m: Metrics) => void): () => void {
    this.#watchers.add(push);
    // A new dashboard gets the figures at once; the others only when they change.
    this.#metrics()
      .then((m) => {
        if (this.#watchers.has(push)) push(m);
      })
      .catch((err: unknown) => this.#logError('activity feed: figures unreadable', err));
    this.#timer ??= setInterval(() => void this.#tick(), this.#tickMs);
    return () => {
      this.#watchers.delete(push);
      if (this.#watchers.size === 0) {
        clearInterval(this.#timer);
        this.#timer = undefined;
        this.#last = undefined;
      }
    };
  }

  async #tick(): Promise<void> {
    if (this.#ticking) return; // a slow read never stacks up behind itself
    this.#ticking = true;
    try {
      const now = await this.#metrics();
      if (this.#last && sameFigures(this.#last, now)) return;
      this.#last = now;
      for (const push of [...this.#watchers]) push(now);
    } catch (err) {
      this.#logError('activity feed: figures unreadable', err);
    } finally {
      this.#ticking = false;
    }
  }

  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#watchers.clear();
  }
}

/** One process's window of the feed. */
function memoryWindow(): ActivityHistory {
  // Seqs start at this process's start time in microseconds, so a dashboard that resumes
  // across a restart asks for "after" a seq below every seq of the new process, and gets all of
  // it, rather than skipping what the new process numbered from 1.
  const firstSeq = Date.now() * 1000;
  return new RingHistory<ActivityEvent, ActivityEventInput>({
    capacity: WINDOW,
    firstSeq: () => firstSeq,
    stamp: (input, seq) => ({ ...input, seq, at: new Date() }) as ActivityEvent,
  });
}
