// Rate limits and rate measures kept in memory: token buckets (one per key) for refusing callers
// who go too fast, and a meter for "how many per second lately". Both take a clock for tests.

export type Clock = () => number;

/** Holds up to `capacity` tokens and gains `perMs` each millisecond; each action takes one. */
export class TokenBucket {
  #tokens: number;
  #at: number;

  constructor(
    readonly capacity: number,
    readonly perMs: number,
    private readonly now: Clock = Date.now,
  ) {
    this.#tokens = capacity;
    this.#at = now();
  }

  #refill(): void {
    const t = this.now();
    this.#tokens = Math.min(this.capacity, this.#tokens + (t - this.#at) * this.perMs);
    this.#at = t;
  }

  /** Takes `n` tokens (one action each), or says how long until they are there. */
  take(n = 1): { ok: true } | { ok: false; retryAfterMs: number } {
    this.#refill();
    if (this.#tokens >= n) {
      this.#tokens -= n;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: Math.ceil((n - this.#tokens) / this.perMs) };
  }

  get full(): boolean {
    this.#refill();
    return this.#tokens >= this.capacity;
  }
}

/** One bucket per key (a user id), `perMinute` actions a minute with bursts up to the same. */
export class TokenBuckets {
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(
    readonly perMinute: number,
    private readonly now: Clock = Date.now,
  ) {}

  take(key: string): { ok: true } | { ok: false; retryAfterMs: number } {
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      // A full bucket is the same as none: forget those before the map grows without bound.
      if (this.#buckets.size >= 10_000) {
        for (const [k, b] of this.#buckets) if (b.full) this.#buckets.delete(k);
      }
      bucket = new TokenBucket(this.perMinute, this.perMinute / 60_000, this.now);
      this.#buckets.set(key, bucket);
    }
    return bucket.take();
  }
}

/** Counts marks in one-second slots and reports the mean over the last `seconds` whole seconds. */
export class RateMeter {
  readonly #slots: { second: number; count: number }[];
  #total = 0;

  constructor(
    readonly seconds = 10,
    private readonly now: Clock = Date.now,
  ) {
    this.#slots = Array.from({ length: seconds + 1 }, () => ({ second: -1, count: 0 }));
  }

  mark(n = 1): void {
    const second = Math.floor(this.now() / 1000);
    const slot = this.#slots[second % this.#slots.length];
    if (!slot) return;
    if (slot.second !== second) {
      slot.second = second;
      slot.count = 0;
    }
    slot.count += n;
    this.#total += n;
  }

  get total(): number {
    return this.#total;
  }

  /** The current second is still filling, so it is left out. */
  perSecond(): number {
    const current = Math.floor(this.now() / 1000);
    let sum = 0;
    for (const slot of this.#slots) {
      if (slot.second < current && slot.second >= current - this.seconds) sum += slot.count;
    }
    return sum / this.seconds;
  }
}
