// One node's connections to Redis, shared by all its live channels (runs, rooms, the activity
// feed) and its room presence: one connection for commands, one for subscriptions, their health,
// and — while Redis is away — a timer that tells every reader to look in the store instead.
import { describe, type RedisClient, redisClient } from './client.ts';
import { RedisHealth, type RedisHealthView } from './health.ts';

export interface RedisBusOptions {
  url: string;
  /** Keys and channels start with this, so clusters (or tests) can share one Redis. */
  prefix: string;
  /** While Redis is away, readers look in the store this often. */
  pollMs: number;
  log: (message: string, err?: unknown) => void;
}

/** What uses the bus, told when its connections come back and while they are away. */
export interface BusPart {
  /** The command connection is back: publish what waited. */
  commandsBack?(): void;
  /** The subscription connection is back: subscribe again, then catch readers up. */
  subscriberBack?(): void;
  /** Redis is away: readers should look in the store now. */
  poll?(): void;
  /** Both connections are back after an outage: what was missed meanwhile can be read again. */
  allBack?(): void;
}

export class RedisBus {
  readonly #opts: RedisBusOptions;
  readonly commands: RedisClient;
  readonly subscriber: RedisClient;
  readonly #health: RedisHealth;
  readonly #parts = new Set<BusPart>();
  #poll: NodeJS.Timeout | undefined;
  #closed = false;
  /** Some connection went down since both were last up. */
  #outage = false;

  private constructor(opts: RedisBusOptions) {
    this.#opts = opts;
    this.#health = new RedisHealth(describe(opts.url), opts.log);
    this.commands = redisClient(opts.url);
    this.subscriber = redisClient(opts.url);
    this.#watch(this.commands, 'commands', () => {
      for (const part of [...this.#parts]) part.commandsBack?.();
    });
    this.#watch(this.subscriber, 'subscriber', () => {
      for (const part of [...this.#parts]) part.subscriberBack?.();
    });
  }

  /** Connects both connections; rejects with a clear message if Redis cannot be reached. */
  static async connect(opts: RedisBusOptions): Promise<RedisBus> {
    const bus = new RedisBus(opts);
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('no answer within 5 s')), 5_000).unref(),
    );
    try {
      await Promise.race([
        Promise.all([bus.commands.connect(), bus.subscriber.connect()]),
        timeout,
      ]);
    } catch (err) {
      await bus.close();
      throw new Error(`Could not reach Redis at ${describe(opts.url)}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    return bus;
  }

  get prefix(): string {
    return this.#opts.prefix;
  }

  get health(): RedisHealthView {
    return this.#health.view;
  }

  get up(): boolean {
    return this.#health.up;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Returns what detaches the part. */
  attach(part: BusPart): () => void {
    this.#parts.add(part);
    return () => this.#parts.delete(part);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#poll);
    this.#parts.clear();
    for (const client of [this.subscriber, this.commands]) {
      if (client.isOpen) await client.close().catch(() => client.destroy());
      else client.destroy();
    }
  }

  #watch(client: RedisClient, name: string, onBack: () => void): void {
    let wasDown = false;
    const down = (err?: unknown) => {
      if (this.#closed) return;
      wasDown = true;
      this.#outage = true;
      this.#health.set(name, false, err);
      this.#startPolling();
    };
    client.on('error', (err: unknown) => down(err));
    client.on('end', () => down());
    client.on('reconnecting', () => down());
    client.on('ready', () => {
      this.#health.set(name, true);
      if (this.#health.up) this.#stopPolling();
      if (wasDown) {
        wasDown = false;
        onBack();
      }
      if (this.#health.up && this.#outage) {
        this.#outage = false;
        for (const part of [...this.#parts]) part.allBack?.();
      }
    });
  }

  #startPolling(): void {
    if (this.#poll) return;
    this.#poll = setInterval(() => {
      for (const part of [...this.#parts]) part.poll?.();
    }, this.#opts.pollMs);
    this.#poll.unref();
  }

  #stopPolling(): void {
    clearInterval(this.#poll);
    this.#poll = undefined;
  }
}
