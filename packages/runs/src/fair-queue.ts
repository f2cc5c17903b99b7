// Runs waiting for a slot, served round-robin across users: one user's hundred queued runs
// delay another user's single run by at most one turn per user, not by a hundred.

export class FairQueue<T extends { userId: string }> {
  // Map order is the rotation: the first user is served next and then moves to the back.
  readonly #byUser = new Map<string, T[]>();
  #size = 0;

  get length(): number {
    return this.#size;
  }

  push(item: T): void {
    const queue = this.#byUser.get(item.userId);
    if (queue) queue.push(item);
    else this.#byUser.set(item.userId, [item]);
    this.#size += 1;
  }

  shift(): T | undefined {
    for (const [userId, queue] of this.#byUser) {
      this.#byUser.delete(userId);
      const item = queue.shift();
      if (queue.length > 0) this.#byUser.set(userId, queue);
      if (item !== undefined) {
        this.#size -= 1;
        return item;
      }
    }
    return undefined;
  }

  /** Takes out every item that matches, in queue order. */
  remove(match: (item: T) => boolean): T[] {
    const removed = this.order().filter(match);
    if (removed.length === 0) return removed;
    const gone = new Set(removed);
    for (const [userId, queue] of this.#byUser) {
      const kept = queue.filter((item) => !gone.has(item));
      if (kept.length > 0) this.#byUser.set(userId, kept);
      else this.#byUser.delete(userId);
    }
    this.#size -= removed.length;
    return removed;
  }

  /** Every item in the order `shift()` would hand them out. */
  order(): T[] {
    const queues = [...this.#byUser.values()];
    const out: T[] = [];
    for (let round = 0; out.length < this.#size; round++) {
      for (const queue of queues) {
        const item = queue[round];
        if (item !== undefined) out.push(item);
      }
    }
    return out;
  }
}
