// LiveChannel over Redis for any log (runs, rooms, the activity feed): one stream per key (entry id
// `<seq>-0`) holds its recent events for replay, and the same script publishes them to the key's
// channel for live delivery, on every node. When Redis is away, writers go on (their events are
// in PostgreSQL first), what could not be published waits here and is published when Redis is
// back, and readers are told to look in the store — until then, and once more after.
import { isTerminalEvent, type RunEvent } from '@querylane/contracts';
import { transformer } from '@querylane/contracts/transformer';
import type { LiveChannel, LiveListener, Sequenced } from '@querylane/runs';
import { runAppend } from './append-script.ts';
import { RedisBus, type RedisBusOptions } from './bus.ts';
import type { RedisHealthView } from './health.ts';

export interface ChannelOptions<E extends Sequenced> {
  /** What the keys are (`run`, `room`, `activity`): part of every Redis key and channel. */
  kind: string;
  /** After such an event a key takes nothing more; its stream expires sooner. */
  isTerminal: (event: E) => boolean;
  /** Entries a key's stream keeps (trimmed approximately past this). */
  maxLen: number;
  /** How long an ended key's stream stays for replay. */
  endedTtlMs: number;
  /** How long a stream stays without new events (a run whose node vanished, a quiet room). */
  idleTtlMs: number;
  /** Events kept per key while they cannot be published; older ones are left to the store. */
  maxPendingPerKey: number;
  log: (message: string, err?: unknown) => void;
}

/** A run channel with connections of its own (tests, tools); a server shares one bus. */
export interface RedisChannelOptions extends RedisBusOptions {
  maxLen: number;
  endedTtlMs: number;
  idleTtlMs: number;
  maxPendingPerRun: number;
}

interface Subscription<E extends Sequenced> {
  listeners: Set<LiveListener<E>>;
  /** Confirmed by Redis; node-redis subscribes it again by itself after a reconnect. */
  subscribed: boolean;
  pending: Promise<void> | undefined;
}

export class RedisLiveChannel<E extends Sequenced = RunEvent> implements LiveChannel<E> {
  readonly #bus: RedisBus;
  readonly #opts: ChannelOptions<E>;
  /** Closed with the channel: a bus the channel opened for itself. */
  readonly #ownsBus: boolean;
  readonly #detach: () => void;
  readonly #subs = new Map<string, Subscription<E>>();
  /** Per key, events stored but not yet published (Redis was away), oldest first. */
  readonly #unpublished = new Map<string, E[]>();
  /** Per key, its publishes in order, so a flush after an outage never overtakes a new batch. */
  readonly #chains = new Map<string, Promise<void>>();
  readonly #streamKey: (key: string) => string;
  readonly #channelOf: (key: string) => string;
  readonly #keyOf: (channel: string) => string | undefined;

  constructor(bus: RedisBus, opts: ChannelOptions<E>, ownsBus = false) {
    this.#bus = bus;
    this.#opts = opts;
    this.#ownsBus = ownsBus;
    const base = `${bus.prefix}:${opts.kind}:`;
    this.#streamKey = (key) => `${base}${key}:events`;
    this.#channelOf = (key) => `${base}${key}:live`;
    this.#keyOf = (channel) =>
      channel.startsWith(base) && channel.endsWith(':live')
        ? channel.slice(base.length, -':live'.length)
        : undefined;
    this.#detach = bus.attach({
      commandsBack: () => this.#flushAll(),
      subscriberBack: () => void this.#resubscribeAll(),
      poll: () => this.#resyncAll(),
    });
  }

  /** A channel for run events on connections of its own; rejects if Redis cannot be reached. */
  static async connect(opts: RedisChannelOptions): Promise<RedisLiveChannel> {
    const bus = await RedisBus.connect(opts);
    return new RedisLiveChannel<RunEvent>(
      bus,
      {
        kind: 'run',
        isTerminal: isTerminalEvent,
        maxLen: opts.maxLen,
        endedTtlMs: opts.endedTtlMs,
        idleTtlMs: opts.idleTtlMs,
        maxPendingPerKey: opts.maxPendingPerRun,
        log: opts.log,
      },
      true,
    );
  }

  get health(): RedisHealthView {
    return this.#bus.health;
  }

  /** With no events: publishes what is still waiting from an outage, if anything. */
  publish(key: string, events: readonly E[]): Promise<void> {
    if (events.length === 0 && !this.#unpublished.has(key)) return Promise.resolve();
    const next = (this.#chains.get(key) ?? Promise.resolve()).then(() =>
      this.#publish(key, events),
    );
    this.#chains.set(key, next);
    void next.finally(() => {
      if (this.#chains.get(key) === next) this.#chains.delete(key);
    });
    return next;
  }

  async subscribe(key: string, listener: LiveListener<E>): Promise<() => void> {
    let sub = this.#subs.get(key);
    if (!sub) {
      sub = { listeners: new Set(), subscribed: false, pending: undefined };
      this.#subs.set(key, sub);
    }
    sub.listeners.add(listener);
    const entry = sub;
    // While Redis is away this returns at once: the reader is told to poll the store, and the
    // subscription is made when Redis is back.
    await this.#ensure(key, entry);
    return () => {
      entry.listeners.delete(listener);
      if (entry.listeners.size > 0 || this.#subs.get(key) !== entry) return;
      this.#subs.delete(key);
      void (entry.pending ?? Promise.resolve()).then(() => {
        if (entry.subscribed && !this.#subs.has(key)) {
          this.#bus.subscriber.unsubscribe(this.#channelOf(key)).catch(() => {});
        }
      });
    };
  }

  listenerCount(key?: string): number {
    if (key !== undefined) return this.#subs.get(key)?.listeners.size ?? 0;
    let n = 0;
    for (const sub of this.#subs.values()) n += sub.listeners.size;
    return n;
  }

  async recent(key: string, afterSeq: number, limit: number): Promise<E[]> {
    const entries = await this.#bus.commands.xRange(
      this.#streamKey(key),
      `${afterSeq + 1}-0`,
      '+',
      { COUNT: limit },
    );
    return (entries ?? []).map((e) => transformer.parse<E>(String(e.message.e)));
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#chains.values()]);
    this.#detach();
    if (this.#ownsBus) await this.#bus.close();
  }

  async #publish(key: string, events: readonly E[]): Promise<void> {
    const batch = [...(this.#unpublished.get(key) ?? []), ...events];
    const last = batch.at(-1);
    if (!last) return;
    const opts = this.#opts;
    const args = [
      this.#channelOf(key),
      String(opts.maxLen),
      String(opts.idleTtlMs),
      String(opts.endedTtlMs),
      opts.isTerminal(last) ? '1' : '0',
    ];
    for (const event of batch) args.push(String(event.seq), transformer.stringify(event));
    try {
      await runAppend(this.#bus.commands, [this.#streamKey(key)], args);
      this.#unpublished.delete(key);
    } catch (err) {
      // Stored already; readers find it in the store. It is published when Redis is back.
      const kept = batch.slice(-opts.maxPendingPerKey);
      this.#unpublished.set(key, kept);
      if (this.#bus.up) opts.log(`${opts.kind} ${key}: events not published to Redis yet`, err);
    }
  }

  #flushAll(): void {
    for (const key of [...this.#unpublished.keys()]) void this.publish(key, []);
  }

  async #ensure(key: string, sub: Subscription<E>): Promise<void> {
    const { subscriber } = this.#bus;
    if (sub.subscribed || !subscriber.isReady) return;
    sub.pending ??= subscriber
      .subscribe(this.#channelOf(key), this.#onMessage)
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

  /** After a reconnect: every key subscribed again, then its readers told to catch up. */
  async #resubscribeAll(): Promise<void> {
    await Promise.all(
      [...this.#subs].map(async ([key, sub]) => {
        await this.#ensure(key, sub);
        for (const listener of [...sub.listeners]) listener.onResync?.();
      }),
    );
  }

  #resyncAll(): void {
    for (const sub of this.#subs.values()) {
      for (const listener of [...sub.listeners]) listener.onResync?.();
    }
  }

  readonly #onMessage = (message: string, channel: string) => {
    const key = this.#keyOf(channel);
    const sub = key === undefined ? undefined : this.#subs.get(key);
    if (!sub) return;
    let events: E[];
    try {
      const batch = JSON.parse(message) as Parameters<typeof transformer.deserialize>[0][];
      events = batch.map((e) => transformer.deserialize<E>(e));
    } catch (err) {
      this.#opts.log(
        `${this.#opts.kind} ${key}: a live message could not be read; readers catch up`,
        err,
      );
      for (const listener of [...sub.listeners]) listener.onResync?.();
      return;
    }
    for (const listener of [...sub.listeners]) for (const event of events) listener.onEvent(event);
  };
}
