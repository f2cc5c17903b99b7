// In-process live delivery of run events to the subscribers of this process. Best effort by
// design: the event log replays from its history, which holds everything published here.
import type { RunEvent } from '@querylane/contracts';
import type { LiveChannel, LiveListener } from './ports.ts';

export class MemoryLiveChannel implements LiveChannel {
  readonly #listeners = new Map<string, Set<LiveListener>>();

  publish(runId: string, events: readonly RunEvent[]): void {
    const set = this.#listeners.get(runId);
    if (!set) return;
    for (const listener of [...set]) for (const event of events) listener.onEvent(event);
  }

  // In place at once: a publish in this process reaches the listener from the next line on.
  async subscribe(runId: string, listener: LiveListener): Promise<() => void> {
    let set = this.#listeners.get(runId);
    if (!set) {
      set = new Set();
      this.#listeners.set(runId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.#listeners.get(runId) === set) this.#listeners.delete(runId);
    };
  }

  listenerCount(runId?: string): number {
    if (runId !== undefined) return this.#listeners.get(runId)?.size ?? 0;
    let n = 0;
    for (const set of this.#listeners.values()) n += set.size;
    return n;
  }
}
