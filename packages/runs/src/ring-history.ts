// A bounded in-memory history: the newest `capacity` events of each key, numbered as they come.
// The activity feed's default (its window is what a dashboard that reconnects can catch up on);
// a cluster keeps the same window in a capped Redis stream.
import type { Sequenced, SequencedHistory } from './ports.ts';

interface Ring<E> {
  slots: (E | undefined)[];
  /** Seq of the next event; the window holds seqs from `next - held` to `next - 1`. */
  next: number;
  held: number;
}

export class RingHistory<E extends Sequenced, I> implements SequencedHistory<E, I> {
  readonly #rings = new Map<string, Ring<E>>();
  readonly #capacity: number;
  readonly #firstSeq: (key: string) => number;
  readonly #stamp: (input: I, seq: number) => E;

  constructor(opts: {
    capacity: number;
    /** Seq of a key's first event; see ActivityFeed for why it need not be 1. */
    firstSeq: (key: string) => number;
    /** The stored event for an input and its seq. */
    stamp: (input: I, seq: number) => E;
  }) {
    this.#capacity = Math.max(1, opts.capacity);
    this.#firstSeq = opts.firstSeq;
    this.#stamp = opts.stamp;
  }

  async append(key: string, input: I): Promise<E> {
    let ring = this.#rings.get(key);
    if (!ring) {
      ring = { slots: new Array(this.#capacity), next: this.#firstSeq(key), held: 0 };
      this.#rings.set(key, ring);
    }
    const event = this.#stamp(input, ring.next);
    ring.slots[ring.next % this.#capacity] = event;
    ring.next += 1;
    ring.held = Math.min(this.#capacity, ring.held + 1);
    return event;
  }

  async after(key: string, afterSeq: number, limit: number): Promise<E[]> {
    const ring = this.#rings.get(key);
    if (!ring) return [];
    const oldest = ring.next - ring.held;
    const out: E[] = [];
    for (let seq = Math.max(afterSeq + 1, oldest); seq < ring.next && out.length < limit; seq++) {
      const event = ring.slots[seq % this.#capacity];
      if (event) out.push(event);
    }
    return out;
  }

  async lastSeq(key: string): Promise<number> {
    const ring = this.#rings.get(key);
    return ring && ring.held > 0 ? ring.next - 1 : 0;
  }

  /** The window's first seq (older ones are gone), or undefined before the first event. */
  oldest(key: string): number | undefined {
    const ring = this.#rings.get(key);
    return ring && ring.held > 0 ? ring.next - ring.held : undefined;
  }

  async ended(_key: string): Promise<boolean> {
    return false;
  }
}
