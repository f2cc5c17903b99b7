// Whether this node reaches Redis, as the admin and /metrics report it: up or down, since when,
// and how many outages so far. Each change is logged once, not once per reconnect attempt.

export interface RedisHealthView {
  up: boolean;
  /** Outages since this node started. */
  outages: number;
  /** When the current outage began; null while up. */
  downSince: Date | null;
  lastError: string | null;
}

export class RedisHealth {
  readonly #connections = new Map<string, boolean>();
  #outages = 0;
  #downSince: Date | null = null;
  #lastError: string | null = null;

  constructor(
    private readonly describe: string,
    private readonly log: (message: string, err?: unknown) => void,
  ) {}

  get view(): RedisHealthView {
    return {
      up: this.#downSince === null,
      outages: this.#outages,
      downSince: this.#downSince,
      lastError: this.#lastError,
    };
  }

  get up(): boolean {
    return this.#downSince === null;
  }

  /** One of this node's connections came up or went down. */
  set(connection: string, up: boolean, err?: unknown): void {
    if (err !== undefined) this.#lastError = String((err as Error)?.message ?? err);
    this.#connections.set(connection, up);
    const allUp = [...this.#connections.values()].every(Boolean);
    if (!allUp && this.#downSince === null) {
      this.#downSince = new Date();
      this.#outages += 1;
      this.log(
        `Redis at ${this.describe} is unreachable (${this.#lastError ?? 'connection lost'}): runs go on ` +
          'and their events are stored in PostgreSQL; subscribers read them from there until it is back',
      );
    } else if (allUp && this.#downSince !== null) {
      const seconds = ((Date.now() - this.#downSince.getTime()) / 1000).toFixed(1);
      this.#downSince = null;
      this.log(`Redis at ${this.describe} is back after ${seconds} s`);
    }
  }
}
