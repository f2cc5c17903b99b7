// In-process live delivery of a log's events (runs, rooms, activity) to the subscribers of this
// process. Best effort by design: each log replays from its history, which holds everything.
import type { RunEvent } from '@querylane/contracts';
import type { LiveChannel, LiveListener, Sequenced } from './ports.ts';

export class MemoryLiveChannel<E extends Sequenced = RunEvent> implements LiveChannel<E> {
  readonly #listeners = new Map<string, Set<LiveListener<E>>>();

  publish(key: string, events: readonly E[]): void {
    const set = this.#listeners.get(key);
    if (!set) return;
    for (const listener of [...set]) for (const event of events) listener.onEvent(event);
  }

  // In place at once: a publish in this process reaches the listener from the next line on.
  async subscribe(key: string, listener: LiveListener<E>): Promise<() => void> {
    let set = this.#listeners.get(key);
    if (!set) {
      set = new Set();
      this.#listeners.set(key, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.#listeners.get(key) === set) this.#listeners.delete(key);
    };
  }

  listenerCount(key?: string): number {
    if (key !== undefined) return this.#listeners.get(key)?.size ?? 0;
    let n = 0;
    for (const set of this.#listeners.values()) n += set.size;
    return n;
  }
}
