// Presence inside one process: open sessions and typing users per room, each with an expiry, and
// watchers told the room's whole state whenever it changes. Expired entries count as gone at
// once; a timer sweeps them so that watchers hear about it.
import type { RoomPresence } from '@querylane/contracts';
import type { Presence, PresenceSession } from './ports.ts';

interface Room {
  sessions: Map<string, { userId: string; expires: number }>;
  typing: Map<string, number>;
  /** The state last told to watchers, as a key to compare. */
  told: string;
}

const EMPTY = JSON.stringify({ present: [], typing: [] });

export class MemoryPresence implements Presence {
  readonly #rooms = new Map<string, Room>();
  readonly #watchers = new Map<string, Set<(state: RoomPresence) => void>>();
  readonly #now: () => number;
  readonly #sweepMs: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(opts: { now?: () => number; sweepMs?: number } = {}) {
    this.#now = opts.now ?? Date.now;
    this.#sweepMs = opts.sweepMs ?? 250;
  }

  async heartbeat(room: string, session: PresenceSession, ttlMs: number): Promise<void> {
    this.#room(room).sessions.set(session.sessionId, {
      userId: session.userId,
      expires: this.#now() + ttlMs,
    });
    this.#changed(room);
  }

  async leave(room: string, sessionId: string): Promise<void> {
    const r = this.#rooms.get(room);
    const session = r?.sessions.get(sessionId);
    if (!r || !session) return;
    r.sessions.delete(sessionId);
    const now = this.#now();
    const stillHere = [...r.sessions.values()].some(
      (s) => s.userId === session.userId && s.expires > now,
    );
    if (!stillHere) r.typing.delete(session.userId);
    this.#changed(room);
  }

  async typing(room: string, userId: string, ttlMs: number | null): Promise<void> {
    if (ttlMs === null) this.#rooms.get(room)?.typing.delete(userId);
    else this.#room(room).typing.set(userId, this.#now() + ttlMs);
    this.#changed(room);
  }

  async list(room: string): Promise<RoomPresence> {
    return this.#state(room);
  }

  watch(room: string, listener: (state: RoomPresence) => void): () => void {
    let set = this.#watchers.get(room);
    if (!set) {
      set = new Set();
      this.#watchers.set(room, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.#watchers.get(room) === set) this.#watchers.delete(room);
    };
  }

  async stats(): Promise<{ rooms: number; sessions: number }> {
    const now = this.#now();
    let rooms = 0;
    let sessions = 0;
    for (const r of this.#rooms.values()) {
      const live = [...r.sessions.values()].filter((s) => s.expires > now).length;
      if (live > 0) rooms += 1;
      sessions += live;
    }
    return { rooms, sessions };
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#rooms.clear();
    this.#watchers.clear();
  }

  #room(room: string): Room {
    let r = this.#rooms.get(room);
    if (!r) {
      r = { sessions: new Map(), typing: new Map(), told: EMPTY };
      this.#rooms.set(room, r);
    }
    this.#timer ??= setInterval(() => this.#sweep(), this.#sweepMs).unref();
    return r;
  }

  #state(room: string): RoomPresence {
    const r = this.#rooms.get(room);
    if (!r) return { present: [], typing: [] };
    const now = this.#now();
    const present = new Set<string>();
    for (const s of r.sessions.values()) if (s.expires > now) present.add(s.userId);
    const typing: string[] = [];
    for (const [userId, expires] of r.typing) if (expires > now) typing.push(userId);
    return { present: [...present].sort(), typing: typing.sort() };
  }

  /** Tells watchers when what they would see differs from what they were last told. */
  #changed(room: string): void {
    const r = this.#rooms.get(room);
    if (!r) return;
    const state = this.#state(room);
    const key = JSON.stringify(state);
    if (key !== r.told) {
      r.told = key;
      for (const listener of [...(this.#watchers.get(room) ?? [])]) listener(state);
    }
    if (key === EMPTY && r.sessions.size === 0 && r.typing.size === 0) this.#rooms.delete(room);
  }

  #sweep(): void {
    const now = this.#now();
    for (const [room, r] of this.#rooms) {
      for (const [id, s] of r.sessions) if (s.expires <= now) r.sessions.delete(id);
      for (const [userId, expires] of r.typing) if (expires <= now) r.typing.delete(userId);
      this.#changed(room);
    }
    if (this.#rooms.size === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }
}
