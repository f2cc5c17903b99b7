// Which runs execute now: at most `concurrency` at once, claimed from the queue in its fair
// order whenever a slot frees up, and every waiting run told its place in line as it changes.
import type { QueueEntry, RunQueue } from './ports.ts';

export interface SchedulerOptions {
  queue: RunQueue;
  concurrency: number;
  /** Runs one claimed run to its end. Never rejects. */
  execute(entry: QueueEntry, signal: AbortSignal): Promise<void>;
  /**
   * Tells waiting runs their new places in line (1 runs next), all at once so their events can
   * share one write; resolves once they are stored.
   */
  announce(places: readonly { entry: QueueEntry; position: number }[]): Promise<void>;
  log: (message: string, err?: unknown) => void;
}

interface Active {
  entry: QueueEntry;
  controller: AbortController;
  done: Promise<void>;
}

export class Scheduler {
  readonly #opts: SchedulerOptions;
  readonly #active = new Map<string, Active>();
  /** The place in line last announced to each waiting run. */
  readonly #announced = new Map<string, number>();
  #closing = false;
  #pumping: Promise<void> | undefined;
  #again = false;

  constructor(opts: SchedulerOptions) {
    this.#opts = opts;
  }

  get running(): number {
    return this.#active.size;
  }

  get closing(): boolean {
    return this.#closing;
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
      do {
        this.#again = false;
        await this.#pass().catch((err: unknown) => this.#opts.log('the run queue failed', err));
      } while (this.#again && !this.#closing);
    })().finally(() => {
      this.#pumping = undefined;
    });
    return this.#pumping;
  }

  async #pass(): Promise<void> {
    if (this.#closing) return;
    const free = this.#opts.concurrency - this.#active.size;
    if (free > 0) {
      for (const entry of await this.#opts.queue.claim(free)) this.#start(entry);
    }
    const waiting = await this.#opts.queue.waiting();
    if (this.#closing) return;
    const places: { entry: QueueEntry; position: number }[] = [];
    for (const [i, entry] of waiting.entries()) {
      if (this.#announced.get(entry.runId) === i + 1) continue;
      this.#announced.set(entry.runId, i + 1);
      places.push({ entry, position: i + 1 });
    }
    if (places.length > 0) await this.#opts.announce(places);
  }

  #start(entry: QueueEntry): void {
    this.#announced.delete(entry.runId);
    const controller = new AbortController();
    const active: Active = { entry, controller, done: Promise.resolve() };
    this.#active.set(entry.runId, active);
    active.done = this.#opts
      .execute(entry, controller.signal)
      .catch((err: unknown) => this.#opts.log(`run ${entry.runId} failed to execute`, err))
      .finally(async () => {
        this.#active.delete(entry.runId);
        await this.#opts.queue
          .release(entry.runId)
          .catch((err: unknown) => this.#opts.log(`run ${entry.runId}: release failed`, err));
        void this.pump();
      });
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
  }
}
