// LiveChannel over Redis: one stream per run (entry id `<seq>-0`) holds its recent events for
// replay, and the same script publishes them to the run's channel for live delivery, on every
// node. Subscriptions use a connection of their own. When Redis is away, runs go on (their
// events are in PostgreSQL first), what could not be published waits here and is published when
// Redis is back, and readers are told to look in the history — until then, and once more after.
import { isTerminalEvent, type RunEvent } from '@querylane/contracts';
import { transformer } from '@querylane/contracts/transformer';
import type { LiveChannel, LiveListener } from '@querylane/runs';
import { runAppend } from './append-script.ts';
import { describe, type RedisClient, redisClient } from './client.ts';
import { RedisHealth, type RedisHealthView } from './health.ts';

export interface RedisChannelOptions {
  url: string;
  /** Keys and channels start with this, so clusters (or tests) can share one Redis. */
  prefix: string;
  /** Entries a run's stream keeps while it runs (trimmed approximately past this). */
  maxLen: number;
  /** How long an ended run's stream stays for replay. */
  endedTtlMs: number;
  /** How long a stream stays without new events (a run whose node vanished). */
  idleTtlMs: number;
  /** While Redis is away, readers look in the history this often. */
  pollMs: number;
  /** Events kept per run while they cannot be published; older ones are left to the history. */
  maxPendingPerRun: number;
  log: (message: string, err?: unknown) => void;
}

interface Subscription {
  listeners: Set<LiveListener>;
  /** Confirmed by Redis; node-redis subscribes it again by itself after a reconnect. */
  subscribed: boolean;
  pending: Promise<void> | undefined;
}

export class RedisLiveChannel implements LiveChannel {
  readonly #opts: RedisChannelOptions;
  readonly #commands: RedisClient;
  readonly #subscriber: RedisClient;
  readonly #health: RedisHealth;
  readonly #subs = new Map<string, Subscription>();
  /** Per run, events stored but not yet published (Redis was away), oldest first. */
  readonly #unpublished = new Map<string, RunEvent[]>();
  /** Per run, its publishes in order, so a flush after an outage never overtakes a new batch. */
  readonly #chains = new Map<string, Promise<void>>();
  #poll: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #streamKey: (runId: string) => string;
  readonly #channelOf: (runId: string) => string;
  readonly #runOf: (channel: string) => string | undefined;

  private constructor(opts: RedisChannelOptions) {
    this.#opts = opts;
    this.#health = new RedisHealth(describe(opts.url), opts.log);
    const base = `${opts.prefix}:run:`;
    this.#streamKey = (runId) => `${base}${runId}:events`;
    this.#channelOf = (runId) => `${base}${runId}:live`;
    this.#runOf = (channel) =>
      channel.startsWith(base) && channel.endsWith(':live')
        ? channel.slice(base.length, -':live'.length)
        : undefined;
    this.#commands = redisClient(opts.url);
    this.#subscriber = redisClient(opts.url);
    this.#watch(this.#commands, 'commands', () => this.#flushAll());
    this.#watch(this.#subscriber, 'subscriber', () => void this.#resubscribeAll());
  }

  /** Connects both connections; rejects with a clear message if Redis cannot be reached. */
  static async connect(opts: RedisChannelOptions): Promise<RedisLiveChannel> {
    const channel = new RedisLiveChannel(opts);
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('no answer within 5 s')), 5_000).unref(),
    );
    try {
      await Promise.race([
        Promise.all([channel.#commands.connect(), channel.#subscriber.connect()]),
        timeout,
      ]);
    } catch (err) {
      await channel.close();
      throw new Error(`Could not reach Redis at ${describe(opts.url)}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    return channel;
  }

  get health(): RedisHealthView {
    return this.#health.view;
  }

  /** With no events: publishes what is still waiting from an outage, if anything. */
  publish(runId: string, events: readonly RunEvent[]): Promise<void> {
    if (events.length === 0 && !this.#unpublished.has(runId)) return Promise.resolve();
    const next = (this.#chains.get(runId) ?? Promise.resolve()).then(() =>
      this.#publish(runId, events),
    );
    this.#chains.set(runId, next);
    void next.finally(() => {
      if (this.#chains.get(runId) === next) this.#chains.delete(runId);
    });
    return next;
  }

  async subscribe(runId: string, listener: LiveListener): Promise<() => void> {
    let sub = this.#subs.get(runId);
    if (!sub) {
      sub = { listeners: new Set(), subscribed: false, pending: undefined };
      this.#subs.set(runId, sub);
    }
    sub.listeners.add(listener);
    const entry = sub;
    // While Redis is away this returns at once: the reader is told to poll the history, and
    // the subscription is made when Redis is back.
    await this.#ensure(runId, entry);
    return () => {
      entry.listeners.delete(listener);
      if (entry.listeners.size > 0 || this.#subs.get(runId) !== entry) return;
      this.#subs.delete(runId);
      void (entry.pending ?? Promise.resolve()).then(() => {
        if (entry.subscribed && !this.#subs.has(runId)) {
          this.#subscriber.unsubscribe(this.#channelOf(runId)).catch(() => {});
        }
      });
    };
  }

  listenerCount(runId?: string): number {
    if (runId !== undefined) return this.#subs.get(runId)?.listeners.size ?? 0;
    let n = 0;
    for (const sub of this.#subs.values()) n += sub.listeners.size;
    return n;
  }

  async recent(runId: string, afterSeq: number, limit: number): Promise<RunEvent[]> {
    const entries = await this.#commands.xRange(this.#streamKey(runId), `${afterSeq + 1}-0`, '+', {
      COUNT: limit,
    });
    return (entries ?? []).map((e) => transformer.parse<RunEvent>(String(e.message.e)));
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#poll);
    await Promise.allSettled([...this.#chains.values()]);
    for (const client of [this.#subscriber, this.#commands]) {
      if (client.isOpen) await client.close().catch(() => client.destroy());
      else client.destroy();
    }
  }

  async #publish(runId: string, events: readonly RunEvent[]): Promise<void> {
    const batch = [...(this.#unpublished.get(runId) ?? []), ...events];
    const last = batch.at(-1);
    if (!last) return;
    const args = [
      this.#channelOf(runId),
      String(this.#opts.maxLen),
      String(this.#opts.idleTtlMs),
      String(this.#opts.endedTtlMs),
      isTerminalEvent(last) ? '1' : '0',
    ];
    for (const event of batch) args.push(String(event.seq), transformer.stringify(event));
    try {
      await runAppend(this.#commands, [this.#streamKey(runId)], args);
      this.#unpublished.delete(runId);
    } catch (err) {
      // Stored already; readers find it in the history. It is published when Redis is back.
      const kept = batch.slice(-this.#opts.maxPendingPerRun);
      this.#unpublished.set(runId, kept);
      if (this.#health.up) this.#opts.log(`run ${runId}: events not published to Redis yet`, err);
    }
  }

  #flushAll(): void {
    for (const runId of [...this.#unpublished.keys()]) void this.publish(runId, []);
  }

  async #ensure(runId: string, sub: Subscription): Promise<void> {
    if (sub.subscribed || !this.#subscriber.isReady) return;
    sub.pending ??= this.#subscriber
      .subscribe(this.#channelOf(runId), this.#onMessage)
      .then(
        () => {
          sub.subscribed = true;
        },
        () => {
          // Redis went away meanwhile: polling covers the reader; subscribed again when back.
        },
      )
      .finally(() => {
        sub.pending = undefined;
      });
    await sub.pending;
  }

  /** After a reconnect: every run subscribed again, then its readers told to catch up. */
  async #resubscribeAll(): Promise<void> {
    await Promise.all(
      [...this.#subs].map(async ([runId, sub]) => {
        await this.#ensure(runId, sub);
        for (const listener of [...sub.listeners]) listener.onResync?.();
      }),
    );
  }

  readonly #onMessage = (message: string, channel: string) => {
    const runId = this.#runOf(channel);
    const sub = runId === undefined ? undefined : this.#subs.get(runId);
    if (!sub) return;
    let events: RunEvent[];
    try {
      const batch = JSON.parse(message) as Parameters<typeof transformer.deserialize>[0][];
      events = batch.map((e) => transformer.deserialize<RunEvent>(e));
    } catch (err) {
      this.#opts.log(`run ${runId}: a live message could not be read; readers catch up`, err);
      for (const listener of [...sub.listeners]) listener.onResync?.();
      return;
    }
    for (const listener of [...sub.listeners]) for (const event of events) listener.onEvent(event);
  };

  #watch(client: RedisClient, name: string, onBack: () => void): void {
    let wasDown = false;
    const down = (err?: unknown) => {
      if (this.#closed) return;
      wasDown = true;
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
    });
  }

  #startPolling(): void {
    if (this.#poll) return;
    this.#poll = setInterval(() => {
      for (const sub of this.#subs.values()) {
        for (const listener of [...sub.listeners]) listener.onResync?.();
      }
    }, this.#opts.pollMs);
    this.#poll.unref();
  }

  #stopPolling(): void {
    clearInterval(this.#poll);
    this.#poll = undefined;
  }
}
