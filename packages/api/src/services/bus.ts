// In-process event bus: live run events fan out to the subscriptions of this process.
import type { RunEvent } from '@querylane/contracts';

export type RunEventListener = (event: RunEvent) => void;

export interface EventBus {
  /** Returns the unsubscribe function. */
  subscribe(runId: string, listener: RunEventListener): () => void;
  publish(event: RunEvent): void;
  listenerCount(runId?: string): number;
}

export function createMemoryBus(): EventBus {
  const listeners = new Map<string, Set<RunEventListener>>();
  return {
    subscribe(runId, listener) {
      let set = listeners.get(runId);
      if (!set) {
        set = new Set();
        listeners.set(runId, set);
      }
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0 && listeners.get(runId) === set) listeners.delete(runId);
      };
    },
    publish(event) {
      const set = listeners.get(event.runId);
      if (!set) return;
      for (const listener of [...set]) listener(event);
    },
    listenerCount(runId) {
      if (runId !== undefined) return listeners.get(runId)?.size ?? 0;
      let n = 0;
      for (const set of listeners.values()) n += set.size;
      return n;
    },
  };
}

/** Buffers pushed events until an async consumer takes them; ends when the signal aborts. */
export class EventQueue<T> {
  #items: T[] = [];
  #wake: (() => void) | undefined;

  push(item: T): void {
    this.#items.push(item);
    this.#wake?.();
  }

  async *drain(signal: AbortSignal | undefined): AsyncGenerator<T> {
    const onAbort = () => this.#wake?.();
    signal?.addEventListener('abort', onAbort);
    try {
      while (!signal?.aborted) {
        const item = this.#items.shift();
        if (item !== undefined) {
          yield item;
          continue;
        }
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
        this.#wake = undefined;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }
}
