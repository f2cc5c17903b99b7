// Room presence across nodes, in Redis: who has a room open and who is typing, written by atomic
// scripts (presence-scripts.ts) that publish each visible change with the room's whole state.
// Watchers on any node hear every change once, in order; entries that expire are swept by a
// timer set for the room's next expiry on each node that watches it, and the sweep publishes.
import type { RoomPresence } from '@querylane/contracts';
import type { Presence, PresenceSession } from '@querylane/runs';
import type { RedisBus } from './bus.ts';
import { type PresenceScript, runPresenceScript } from './presence-scripts.ts';

/** A room's state as the scripts return and publish it. */
interface State {
  v: number;
  present: string[];
  typing: string[];
  /** Milliseconds until the room's next entry expires; -1: none. */
  nextIn: number;
}

interface Watched {
  listeners: Set<(state: RoomPresence) => void>;
  /** The state last told to this node's watchers, as a key to compare. */
  told: string;
  /** Until the subscription and the first reading are in place: messages wait here. */
  buffered: State[] | undefined;
  ready: Promise<void>;
  /** Confirmed by Redis; node-redis subscribes it again by itself after a reconnect. */
  subscribed: boolean;
  timer: NodeJS.Timeout | undefined;
}

/** cjson writes an empty Lua table as `{}`. */
const list = (value: unknown): string[] => (Array.isArray(value) ? (value as string[]) : []);

function parse(text: unknown): State {
  const raw = JSON.parse(String(text)) as Record<string, unknown>;
  return {
    v: Number(raw.v ?? 0),
    present: list(raw.present),
    typing: list(raw.typing),
    nextIn: Number(raw.nextIn ?? -1),
  };
}

const view = (s: State): RoomPresence => ({ present: s.present, typing: s.typing });

export class RedisPresence implements Presence {
  readonly #bus: RedisBus;
  readonly #log: (message: string, err?: unknown) => void;
  readonly #base: string;
  readonly #rooms = new Map<string, Watched>();
  /** Watches not in place yet: this node's own changes wait for them, so none goes unheard. */
  readonly #pending = new Set<Promise<void>>();
  readonly #detach: () => void;
  #closed = false;

  constructor(bus: RedisBus, opts: { log: (message: string, err?: unknown) => void }) {
    this.#bus = bus;
    this.#log = opts.log;
    this.#base = `${bus.prefix}:presence:`;
    // Messages may have been missed while Redis was away: once both connections are back (the
    // reading needs the command one), read each room again.
    this.#detach = bus.attach({ allBack: () => void this.#rereadAll() });
  }

  async heartbeat(room: string, session: PresenceSession, ttlMs: number): Promise<void> {
    await this.#run('heartbeat', room, [session.sessionId, session.userId, String(ttlMs)]);
  }

  async leave(room: string, sessionId: string): Promise<void> {
    await this.#run('leave', room, [sessionId]);
  }

  async typing(room: string, userId: string, ttlMs: number | null): Promise<void> {
    await this.#run('typing', room, [userId, ttlMs === null ? '' : String(ttlMs)]);
  }

  async list(room: string): Promise<RoomPresence> {
    return view(await this.#run('list', room, []));
  }

  watch(room: string, listener: (state: RoomPresence) => void): () => void {
    let entry = this.#rooms.get(room);
    if (!entry) entry = this.#startWatching(room);
    entry.listeners.add(listener);
    const watched = entry;
    return () => {
      watched.listeners.delete(listener);
      if (watched.listeners.size > 0 || this.#rooms.get(room) !== watched) return;
      this.#rooms.delete(room);
      clearTimeout(watched.timer);
      void watched.ready.then(() => {
        if (!this.#rooms.has(room) && this.#bus.subscriber.isReady) {
          this.#bus.subscriber.unsubscribe(this.#channel(room)).catch(() => {});
        }
      });
    };
  }

  async stats(): Promise<{ rooms: number; sessions: number }> {
    const [rooms, sessions] = (await runPresenceScript(
      this.#bus.commands,
      'stats',
      [`${this.#base}rooms`],
      [this.#base],
    )) as [number, number];
    return { rooms: Number(rooms), sessions: Number(sessions) };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#detach();
    await Promise.allSettled([...this.#pending]);
    for (const [room, entry] of this.#rooms) {
      clearTimeout(entry.timer);
      if (this.#bus.subscriber.isReady) {
        await this.#bus.subscriber.unsubscribe(this.#channel(room)).catch(() => {});
      }
    }
    this.#rooms.clear();
  }

  #channel(room: string): string {
    return `${this.#base}${room}:changed`;
  }

  async #run(name: PresenceScript, room: string, args: string[]): Promise<State> {
    if (this.#pending.size > 0 && name !== 'list') await Promise.allSettled([...this.#pending]);
    const base = `${this.#base}${room}`;
    const keys = [
      `${base}:sessions`,
      `${base}:users`,
      `${base}:typing`,
      `${base}:version`,
      `${this.#base}rooms`,
    ];
    return parse(
      await runPresenceScript(this.#bus.commands, name, keys, [this.#channel(room), room, ...args]),
    );
  }

  #startWatching(room: string): Watched {
    const entry: Watched = {
      listeners: new Set(),
      told: '',
      buffered: [],
      ready: Promise.resolve(),
      subscribed: false,
      timer: undefined,
    };
    this.#rooms.set(room, entry);
    const ready = (async () => {
      try {
        await this.#bus.subscriber.subscribe(this.#channel(room), this.#onMessage);
        entry.subscribed = true;
        // Read after subscribing: a change from now on is heard, and one before is in here.
        const now = await this.#run('list', room, []);
        entry.told = JSON.stringify(view(now));
        const later = (entry.buffered ?? []).filter((s) => s.v > now.v);
        entry.buffered = undefined;
        this.#schedule(room, entry, now.nextIn);
        for (const s of later) this.#apply(room, entry, s);
      } catch (err) {
        entry.buffered = undefined;
        this.#log(
          `presence of room ${room}: could not watch it (Redis away?); read again later`,
          err,
        );
      }
    })();
    entry.ready = ready;
    this.#pending.add(ready);
    void ready.finally(() => this.#pending.delete(ready));
    return entry;
  }

  readonly #onMessage = (message: string, channel: string) => {
    if (!channel.startsWith(this.#base) || !channel.endsWith(':changed')) return;
    const room = channel.slice(this.#base.length, -':changed'.length);
    const entry = this.#rooms.get(room);
    if (!entry) return;
    let state: State;
    try {
      state = parse(message);
    } catch (err) {
      this.#log(`presence of room ${room}: a message could not be read`, err);
      return;
    }
    if (entry.buffered) entry.buffered.push(state);
    else this.#apply(room, entry, state);
  };

  /** Tells watchers when what they would see differs from what they were last told. */
  #apply(room: string, entry: Watched, state: State): void {
    this.#schedule(room, entry, state.nextIn);
    const key = JSON.stringify(view(state));
    if (key === entry.told) return;
    entry.told = key;
    for (const listener of [...entry.listeners]) listener(view(state));
  }

  /** Sweeps the room when its next entry expires; the sweep publishes what changed. */
  #schedule(room: string, entry: Watched, nextIn: number): void {
    clearTimeout(entry.timer);
    entry.timer = undefined;
    if (nextIn < 0 || this.#closed) return;
    entry.timer = setTimeout(() => {
      if (this.#rooms.get(room) !== entry) return;
      this.#run('sweep', room, [])
        .then((s) => this.#schedule(room, entry, s.nextIn))
        .catch((err: unknown) => {
          // While Redis is away the bus says so once; the sweep just tries again.
          if (this.#bus.up)
            this.#log(`presence of room ${room}: sweeping expired sessions failed`, err);
          this.#schedule(room, entry, 1_000);
        });
    }, nextIn + 5);
    entry.timer.unref();
  }

  async #rereadAll(): Promise<void> {
    for (const [room, entry] of this.#rooms) {
      try {
        if (!entry.subscribed) {
          await this.#bus.subscriber.subscribe(this.#channel(room), this.#onMessage);
          entry.subscribed = true;
        }
        this.#apply(room, entry, await this.#run('list', room, []));
      } catch (err) {
        this.#log(`presence of room ${room}: could not read it again`, err);
      }
    }
  }
}
