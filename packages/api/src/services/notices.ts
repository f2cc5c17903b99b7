// Notices an admin broadcasts: delivered live to every subscriber, with a short memory so a
// client that reconnects gets what it missed while away.

export interface Notice {
  id: number;
  message: string;
  from: string;
  at: Date;
}

const REMEMBERED = 20;

export class NoticeBoard {
  readonly #recent: Notice[] = [];
  readonly #listeners = new Set<(notice: Notice) => void>();

  #lastId = 0;

  /** Ids only grow; `preferredId` (the audit row's) is taken when it keeps them growing. */
  publish(message: string, from: string, preferredId?: number | null): Notice {
    const id = Math.max(preferredId ?? 0, this.#lastId + 1);
    this.#lastId = id;
    const notice: Notice = { id, message, from, at: new Date() };
    this.#recent.push(notice);
    if (this.#recent.length > REMEMBERED) this.#recent.shift();
    for (const listener of [...this.#listeners]) listener(notice);
    return notice;
  }

  /** Returns the unsubscribe function. */
  subscribe(listener: (notice: Notice) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Remembered notices after `id`, oldest first. */
  after(id: number): Notice[] {
    return this.#recent.filter((n) => n.id > id);
  }

  /** The newest notice's id, 0 before the first. */
  get lastId(): number {
    return this.#lastId;
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }
}
