// Which runs execute here: at most `concurrency` at once, claimed from the queue in its fair
// order whenever a slot frees up or another node says the line moved, and every waiting run told
// its place in line as it changes. On a shared queue it also keeps the leases of its runs and
// ends the runs of nodes that stopped keeping theirs.
import type { QueueEntry, QueueSignal } from './ports.ts';
import {
  type Active,
  ANNOUNCE_EVERY_MS,
  ANNOUNCE_PARALLEL,
  EARLY_ABORT_MS,
  LEASE_LOST_REASON,
  placesToAnnounce,
  type SchedulerOptions,
} from './scheduler-options.ts';

export {
  LEASE_LOST_REASON,
  type LeaseTiming,
  type SchedulerOptions,
  worthAnnouncing,
} from './scheduler-options.ts';

export class Scheduler {
  readonly #opts: SchedulerOptions;
  readonly #active = new Map<string, Active>();
  /** The place in line last announced to each waiting run. */
  #announced = new Map<string, number>();
  /** Aborts that arrived before the run they name started here. */
  readonly #earlyAborts = new Map<string, { reason: string; at: number }>();
  readonly #timers: NodeJS.Timeout[] = [];
  /** Running here, but their lease passed to another node: aborted, no longer renewed. */
  readonly #lost = new Set<string>();
  #unwatch: (() => void) | undefined;
  #closing = false;
  #pumping: Promise<void> | undefined;
  #again = false;
  #reaping: Promise<number> | undefined;
  #peak = 0;
  #announceSoon: NodeJS.Timeout | undefined;
  #announcing: Promise<void> | undefined;

  constructor(opts: SchedulerOptions) {
    this.#opts = opts;
  }

  get running(): number {
    return this.#active.size;
  }

  /** The most runs this node has executed at once since it started. */
  get peakRunning(): number {
    return this.#peak;
  }

  get closing(): boolean {
    return this.#closing;
  }

  /** On a shared queue: listen to the other nodes and start renewing, reaping and polling. */
  start(): void {
    const leases = this.#opts.leases;
    if (!this.#opts.queue.shared || !leases || this.#unwatch) return;
    this.#unwatch = this.#opts.queue.watch((signal) => this.#onSignal(signal));
    const every = (ms: number, fn: () => unknown) => {
      const timer = setInterval(fn, ms);
      timer.unref();
      this.#timers.push(timer);
    };
    every(leases.renewMs, () => void this.#renew());
    every(leases.reapMs, () => void this.reap());
    every(leases.pollMs, () => void this.pump());
  }

  /** Queues runs in the order given, then fills free slots and announces places once. */
  async enqueue(...entries: QueueEntry[]): Promise<void> {
    for (const entry of entries) await this.#opts.queue.enqueue(entry);
    await this.pump();
  }

  /** Takes waiting runs out of the queue; the rest move up. */
  async remove(match: { runId: string } | { conversationId: string }): Promise<QueueEntry[]> {
    const removed = await this.#opts.queue.remove(match);
    for (const entry of removed) this.#announced.delete(entry.runId);
    if (removed.length > 0) await this.pump();
    return removed;
  }

  /** Aborts a running run and resolves once it has ended; undefined when it is not running here. */
  abort(runId: string, reason: string): Promise<void> | undefined {
    const active = this.#active.get(runId);
    if (!active) return undefined;
    active.controller.abort(reason);
    return active.done;
  }

  /** Aborts every run of a conversation running here; resolves once they have all ended. */
  async abortWhere(conversationId: string, reason: string): Promise<void> {
    const hits = [...this.#active.values()].filter(
      (a) => a.entry.conversationId === conversationId,
    );
    for (const hit of hits) hit.controller.abort(reason);
    await Promise.all(hits.map((hit) => hit.done));
  }

  /** Resolves once a pass that is under way (claims included) has finished. */
  async settled(): Promise<void> {
    await this.#pumping;
  }

  async stats(): Promise<{ queued: number; running: number }> {
    return { queued: (await this.#opts.queue.waiting()).length, running: this.#active.size };
  }

  /**
   * Fills free slots and announces places in line. Calls that arrive while a pass is under way
   * run one more pass after it, so no change is missed and passes never overlap.
   */
  pump(): Promise<void> {
    if (this.#pumping) {
      this.#again = true;
      return this.#pumping;
    }
    this.#pumping = (async () => {
      try {
        do {
          this.#again = false;
          await this.#pass().catch((err: unknown) => this.#opts.log('the run queue failed', err));
        } while (this.#again && !this.#closing);
      } finally {
        // In the same step as the last look at #again (a `.finally()` a step later let a call in
        // between set #again for a loop already stopped, and its run waited for good).
        this.#pumping = undefined;
      }
    })();
    return this.#pumping;
  }

  /**
   * Ends the runs of nodes that stopped renewing their leases (one pass at a time); resolves
   * with how many it ended.
   */
  reap(): Promise<number> {
    this.#reaping ??= (async () => {
      let ended = 0;
      try {
        for (;;) {
          const expired = await this.#opts.queue.expired(20);
          for (const entry of expired) {
            // Our own run, whose renewal came late: taking it over was renewing it.
            if (this.#active.has(entry.runId) && !this.#lost.has(entry.runId)) continue;
            // A run whose end could not be stored stays held by this node until that lease
            // runs out too; then another pass (here or elsewhere) tries again.
            if (!(await this.#opts.endExpired(entry))) continue;
            ended += 1;
            await this.#opts.queue.release(entry.runId);
          }
          if (expired.length < 20) break;
        }
      } catch (err) {
        this.#opts.log('reaping runs of stopped nodes failed', err);
      } finally {
        this.#reaping = undefined;
        const now = Date.now();
        for (const [runId, { at }] of this.#earlyAborts) {
          if (now - at > EARLY_ABORT_MS) this.#earlyAborts.delete(runId);
        }
      }
      return ended;
    })();
    return this.#reaping;
  }

  async #pass(): Promise<void> {
    if (this.#closing) return;
    const free = this.#opts.concurrency - this.#active.size;
    if (free > 0) {
      for (const entry of await this.#opts.queue.claim(free)) this.#start(entry);
    }
    // Alone, places are announced before the call that moved the line returns; shared, the
    // nodes' changes come in bursts, so the announcer writes where things stand a moment later.
    if (this.#opts.queue.shared) this.#announceLater();
    else await this.#announce();
  }

  #announceLater(): void {
    if (this.#announceSoon) return;
    this.#announceSoon = setTimeout(async () => {
      await this.#announcing;
      this.#announceSoon = undefined;
      if (this.#closing) return;
      this.#announcing = this.#announce()
        .catch((err: unknown) => this.#opts.log('announcing places in line failed', err))
        .finally(() => {
          this.#announcing = undefined;
        });
    }, ANNOUNCE_EVERY_MS);
    this.#announceSoon.unref();
  }

  /** Tells every waiting run whose place changed its new one (one node of a cluster does). */
  async #announce(): Promise<void> {
    if (!(await this.#opts.queue.announces())) {
      this.#announced.clear();
      return;
    }
    const waiting = await this.#opts.queue.waiting();
    const { announced, changed } = placesToAnnounce(
      waiting,
      this.#announced,
      this.#opts.queue.shared,
    );
    this.#announced = announced;
    for (let at = 0; at < changed.length; at += ANNOUNCE_PARALLEL) {
      if (this.#closing) return;
      await Promise.all(
        changed.slice(at, at + ANNOUNCE_PARALLEL).map(async ([i, entry]) => {
          this.#announced.set(entry.runId, i + 1);
          await this.#opts.announce(entry, i + 1);
        }),
      );
    }
  }

  #start(entry: QueueEntry): void {
    this.#announced.delete(entry.runId);
    const controller = new AbortController();
    const active: Active = { entry, controller, done: Promise.resolve() };
    this.#active.set(entry.runId, active);
    this.#peak = Math.max(this.#peak, this.#active.size);
    const early = this.#earlyAborts.get(entry.runId);
    if (early) {
      this.#earlyAborts.delete(entry.runId);
      controller.abort(early.reason);
    }
    active.done = this.#opts
      .execute(entry, controller.signal)
      .catch((err: unknown) => {
        this.#opts.log(`run ${entry.runId} failed to execute`, err);
        return false;
      })
      .then(async (ended) => {
        this.#active.delete(entry.runId);
        this.#lost.delete(entry.runId);
        // A run whose end is not stored keeps its lease until it runs out: then a reaper
        // (here or on another node) ends it, rather than leaving it `running` for good.
        if (!ended) return;
        await this.#opts.queue
          .release(entry.runId)
          .catch((err: unknown) => this.#opts.log(`run ${entry.runId}: release failed`, err));
      })
      .finally(() => void this.pump());
  }

  async #renew(): Promise<void> {
    if (this.#active.size === 0) return;
    try {
      const lost = await this.#opts.queue.renew([...this.#active.keys()]);
      for (const runId of lost) {
        this.#opts.log(
          `run ${runId}: its lease ran out and another node ended it; stopping it here`,
        );
        this.#active.get(runId)?.controller.abort(LEASE_LOST_REASON);
      }
    } catch (err) {
      this.#opts.log('renewing the leases of running runs failed', err);
    }
  }

  #onSignal(signal: QueueSignal): void {
    if (signal.type === 'changed') {
      void this.pump();
      return;
    }
    const active = this.#active.get(signal.runId);
    if (active) active.controller.abort(signal.reason);
    else this.#earlyAborts.set(signal.runId, { reason: signal.reason, at: Date.now() });
  }

  /**
   * Graceful stop: nothing starts from here on; running runs get `graceMs` to finish, then are
   * aborted with `reason`. Waiting runs stay in the queue.
   */
  async shutdown(graceMs: number, reason: string): Promise<void> {
    this.#closing = true;
    const active = [...this.#active.values()];
    const settled = Promise.all(active.map((run) => run.done));
    if (graceMs > 0 && active.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([settled, new Promise((r) => (timer = setTimeout(r, graceMs)))]);
      clearTimeout(timer);
    }
    for (const run of this.#active.values()) run.controller.abort(reason);
    await settled;
    await this.#pumping;
    await this.#reaping;
    clearTimeout(this.#announceSoon);
    await this.#announcing;
    for (const timer of this.#timers.splice(0)) clearInterval(timer);
    this.#unwatch?.();
    this.#unwatch = undefined;
  }
}
