// Following one log key by push: subscribe live first, replay what is stored, then pass live
// events straight to the sink, dropping what the replay already gave and filling any hole — from
// the channel's window of recent events when it keeps one (Redis Streams), else from the store. Each event reaches the sink once and in seq order, inside the live channel's
// publish, so one stored batch reaches every follower of a key in one synchronous pass. Runs,
// rooms and the activity feed all read through here (log-reader.ts is the pull view).
import type {
  LiveChannel,
  LiveListener,
  LogSink,
  LogSource,
  ReadOptions,
  Sequenced,
} from './ports.ts';

const PAGE = 500;

/** The part of `events` that continues exactly after `last`, with no gap. */
function continuing<E extends Sequenced>(events: readonly E[], last: number): E[] {
  let n = 0;
  while (n < events.length && events[n]?.seq === last + n + 1) n += 1;
  return n === events.length ? (events as E[]) : events.slice(0, n);
}

export interface LogParts<E extends Sequenced> {
  source: LogSource<E>;
  live: LiveChannel<E>;
  /** After such an event the key has nothing more to say: the follower ends. */
  isTerminal: (event: E) => boolean;
}

export class Follower<E extends Sequenced> implements LiveListener<E> {
  #last: number;
  /** Live events that arrived while the store is being read; null while passing through. */
  #held: E[] | null = [];
  #over = false;
  #unsubscribe: (() => void) | undefined;
  /** The channel said it may have dropped events while the store was being read: read again. */
  #resync = false;
  /** Set once the key had ended before the replay: the store alone is read then. */
  #storeOnly = false;

  constructor(
    private readonly parts: LogParts<E>,
    private readonly key: string,
    afterSeq: number,
    private readonly sink: LogSink<E>,
    private readonly opts?: ReadOptions,
  ) {
    this.#last = afterSeq;
    void this.#start();
  }

  /** Stops following; the sink hears nothing more (not even `end`). Idempotent. */
  stop(): void {
    if (this.#over) return;
    this.#over = true;
    this.#unsubscribe?.();
  }

  /** The channel may have dropped events (cut off, or down): whatever it dropped is stored. */
  onResync(): void {
    if (this.#over) return;
    if (this.#held) {
      this.#resync = true; // the read under way looks again before it lets events through
      return;
    }
    this.#held = [];
    this.#resync = true;
    void this.#guarded(() => this.#drainHeld());
  }

  /** A live event from the channel (the follower is its own listener: no closures per key). */
  onEvent(event: E): void {
    if (this.#over) return;
    if (this.#held) {
      this.#held.push(event);
    } else if (event.seq === this.#last + 1) {
      this.#deliver(event);
    } else if (event.seq > this.#last + 1) {
      // Live delivery may skip (a channel that dropped a message, a writer that published
      // late); the store has it all.
      this.#held = [event];
      void this.#guarded(() => this.#drainHeld());
    }
    // Anything at or below the last seq given was given already.
  }

  #deliver(event: E): void {
    this.#last = event.seq;
    try {
      this.sink.event(event);
    } catch (err) {
      // A sink that throws ends its own stream only, never the publish that reached it.
      this.#fail(err);
      return;
    }
    if (this.parts.isTerminal(event)) this.#end();
  }

  #end(): void {
    if (this.#over) return;
    this.stop();
    this.sink.end();
  }

  #fail(err: unknown): void {
    if (this.#over) return;
    this.stop();
    try {
      this.sink.fail(err);
    } catch {
      // Nothing more can be told to a sink that cannot take its own failure.
    }
  }

  async #guarded(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      this.#fail(err);
    }
  }

  #start(): Promise<void> {
    return this.#guarded(async () => {
      // In place before anything is read: every event published from now on is heard (or, if
      // the channel fails, a resync is).
      const unsubscribe = await this.parts.live.subscribe(this.key, this);
      if (this.#over) {
        unsubscribe();
        return;
      }
      this.#unsubscribe = unsubscribe;
      // Asked before the replay: a key that had ended by now has every event in the store, and
      // one that had not will publish its terminal event to the subscription above.
      const endedBefore = await this.parts.source.ended(this.key);
      // What has ended (or is gone) is read from the store alone: it has every event, and a key
      // that is gone must show nothing, whatever a channel's window still holds.
      this.#storeOnly = endedBefore;
      await this.#backlog(Number.POSITIVE_INFINITY);
      if (this.#over) return;
      if (endedBefore) {
        this.#end();
        return;
      }
      this.sink.caughtUp?.();
      if (this.#over) return;
      await this.#drainHeld();
    });
  }

  /**
   * Events after the last one given, up to `untilSeq`, each given in turn: from the channel's
   * window while it continues from where we are, then from the store, which has everything.
   */
  async #backlog(untilSeq: number): Promise<void> {
    const { live, source } = this.parts;
    let window = !this.#storeOnly && live.recent !== undefined;
    while (this.#last < untilSeq) {
      let page: E[] = [];
      if (window) {
        const recent = await live.recent?.(this.key, this.#last, PAGE).catch(() => []);
        page = continuing(recent ?? [], this.#last);
        if (page.length < PAGE) window = false;
      }
      const fromStore = page.length === 0;
      if (fromStore) page = await source.after(this.key, this.#last, PAGE, this.opts);
      for (const event of page) {
        if (this.#over || event.seq > untilSeq) return;
        if (event.seq > this.#last) this.#deliver(event);
      }
      if (this.#over || (fromStore && page.length < PAGE)) return;
    }
  }

  /**
   * The live events held while the store was read, in the order they came: each after any hole
   * before it is filled from the store. Events that arrive meanwhile join the queue; once it is
   * empty, live events pass straight through.
   */
  async #drainHeld(): Promise<void> {
    for (;;) {
      const held = this.#held;
      if (this.#over || held === null) return;
      if (this.#resync) {
        this.#resync = false;
        await this.#backlog(Number.POSITIVE_INFINITY);
        continue;
      }
      const event = held.shift();
      if (event === undefined) {
        this.#held = null;
        return;
      }
      if (event.seq <= this.#last) continue;
      if (event.seq > this.#last + 1) {
        await this.#backlog(event.seq - 1);
        if (this.#over) return;
        if (event.seq <= this.#last) continue;
      }
      this.#deliver(event);
    }
  }
}

/** The pull view of a follower: an async iterator that starts following on its first `next`. */
export class FollowIterator<E extends Sequenced> implements AsyncIterableIterator<E>, LogSink<E> {
  #items: E[] = [];
  #head = 0;
  #ended = false;
  #error: { cause: unknown } | undefined;
  #wake: (() => void) | undefined;
  #following: { stop(): void } | undefined;
  #started = false;

  constructor(
    private readonly start: (sink: LogSink<E>) => { stop(): void },
    private readonly signal?: AbortSignal,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  event(event: E): void {
    this.#items.push(event);
    this.#wake?.();
  }

  end(): void {
    this.#ended = true;
    this.#wake?.();
  }

  fail(cause: unknown): void {
    this.#error = { cause };
    this.#wake?.();
  }

  async next(): Promise<IteratorResult<E>> {
    if (!this.#started) {
      this.#started = true;
      if (this.signal?.aborted) return this.#finish();
      this.signal?.addEventListener('abort', this.#onAbort, { once: true });
      this.#following = this.start(this);
    }
    for (;;) {
      if (this.signal?.aborted) return this.#finish();
      if (this.#head < this.#items.length) {
        const value = this.#items[this.#head] as E;
        this.#head += 1;
        // Compact once the consumed prefix dominates, so a long stream does not grow forever.
        if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
          this.#items = this.#items.slice(this.#head);
          this.#head = 0;
        }
        return { value, done: false };
      }
      if (this.#error) {
        const { cause } = this.#error;
        this.#finish();
        throw cause;
      }
      if (this.#ended) return this.#finish();
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = undefined;
    }
  }

  async return(): Promise<IteratorResult<E>> {
    this.#started = true;
    return this.#finish();
  }

  #onAbort = (): void => {
    this.#wake?.();
  };

  #finish(): IteratorResult<E> {
    this.#ended = true;
    this.#items = [];
    this.#head = 0;
    this.#following?.stop();
    this.signal?.removeEventListener('abort', this.#onAbort);
    return { value: undefined, done: true };
  }
}
