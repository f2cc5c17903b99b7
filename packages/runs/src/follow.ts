// Following one run's events by push: subscribe live first, replay what is stored, then pass
// live events straight to the sink, dropping what the replay already gave and filling any hole
// from the history. Each event reaches the sink once and in seq order, inside the live
// channel's publish, so one stored batch reaches every follower of a run in one synchronous pass.
import { isTerminalEvent, type RunEvent } from '@querylane/contracts';
import type { EventHistory, EventSink, LiveChannel } from './ports.ts';

const PAGE = 500;

export class Follower {
  #last: number;
  /** Live events that arrived while the history is being read; null while passing through. */
  #held: RunEvent[] | null = [];
  #over = false;
  readonly #unsubscribe: () => void;

  constructor(
    private readonly history: EventHistory,
    live: LiveChannel,
    private readonly runId: string,
    afterSeq: number,
    private readonly sink: EventSink,
  ) {
    this.#last = afterSeq;
    this.#unsubscribe = live.subscribe(runId, this.#live);
    void this.#catchUp(true);
  }

  /** Stops following; the sink hears nothing more (not even `end`). Idempotent. */
  stop(): void {
    if (this.#over) return;
    this.#over = true;
    this.#unsubscribe();
  }

  #live = (event: RunEvent): void => {
    if (this.#over) return;
    if (this.#held) {
      this.#held.push(event);
    } else if (event.seq > this.#last + 1) {
      // Live delivery may skip (a channel that dropped a message); the history has it all.
      this.#held = [event];
      void this.#catchUp(false);
    } else if (event.seq === this.#last + 1) {
      this.#deliver(event);
    }
  };

  #deliver(event: RunEvent): void {
    this.#last = event.seq;
    try {
      this.sink.event(event);
    } catch (err) {
      // A sink that throws ends its own stream only, never the publish that reached it.
      this.#fail(err);
      return;
    }
    if (isTerminalEvent(event) && !this.#over) {
      this.stop();
      this.sink.end();
    }
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

  async #catchUp(initial: boolean): Promise<void> {
    try {
      // Asked before the replay: a run that had ended by now has every event in the history,
      // and one that had not will publish its terminal event to the subscription above.
      const endedBefore = initial && (await this.history.ended(this.runId));
      for (;;) {
        if (this.#over) return;
        const page = await this.history.after(this.runId, this.#last, PAGE);
        for (const event of page) {
          if (this.#over) return;
          if (event.seq === this.#last + 1) this.#deliver(event);
        }
        if (page.length < PAGE) break;
      }
      if (this.#over) return;
      if (endedBefore) {
        this.stop();
        this.sink.end();
        return;
      }
      const held = this.#held ?? [];
      this.#held = null;
      for (const event of held) this.#live(event);
    } catch (err) {
      this.#fail(err);
    }
  }
}

/** The pull view of a follower: an async iterator that starts following on its first `next`. */
export class FollowIterator implements AsyncIterableIterator<RunEvent>, EventSink {
  #items: RunEvent[] = [];
  #head = 0;
  #ended = false;
  #error: { cause: unknown } | undefined;
  #wake: (() => void) | undefined;
  #following: { stop(): void } | undefined;
  #started = false;

  constructor(
    private readonly start: (sink: EventSink) => { stop(): void },
    private readonly signal?: AbortSignal,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  event(event: RunEvent): void {
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

  async next(): Promise<IteratorResult<RunEvent>> {
    if (!this.#started) {
      this.#started = true;
      if (this.signal?.aborted) return this.#finish();
      this.signal?.addEventListener('abort', this.#onAbort, { once: true });
      this.#following = this.start(this);
    }
    for (;;) {
      if (this.signal?.aborted) return this.#finish();
      if (this.#head < this.#items.length) {
        const value = this.#items[this.#head] as RunEvent;
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

  async return(): Promise<IteratorResult<RunEvent>> {
    this.#started = true;
    return this.#finish();
  }

  #onAbort = (): void => {
    this.#wake?.();
  };

  #finish(): IteratorResult<RunEvent> {
    this.#ended = true;
    this.#items = [];
    this.#head = 0;
    this.#following?.stop();
    this.signal?.removeEventListener('abort', this.#onAbort);
    return { value: undefined, done: true };
  }
}
