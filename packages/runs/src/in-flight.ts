// Work under way per key (starts into one conversation), so something that must come after all
// of it (that conversation's delete) can wait for it to land.
export class InFlight {
  readonly #byKey = new Map<string, Set<Promise<unknown>>>();

  /** Resolves and rejects as `work` does; counted until then. */
  async track<T>(key: string, work: Promise<T>): Promise<T> {
    let set = this.#byKey.get(key);
    if (!set) {
      set = new Set();
      this.#byKey.set(key, set);
    }
    const mine = set;
    mine.add(work);
    try {
      return await work;
    } finally {
      mine.delete(work);
      if (mine.size === 0 && this.#byKey.get(key) === mine) this.#byKey.delete(key);
    }
  }

  /** Once everything tracked under `key` so far has settled, however it ended. */
  async settled(key: string): Promise<void> {
    await Promise.allSettled([...(this.#byKey.get(key) ?? [])]);
  }
}
