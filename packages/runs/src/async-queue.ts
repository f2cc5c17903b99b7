// Buffers pushed items until an async consumer takes them; the drain ends when its signal aborts.

export class AsyncQueue<T> {
  #items: T[] = [];
  #head = 0;
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
        if (this.#head < this.#items.length) {
          const item = this.#items[this.#head] as T;
          this.#head += 1;
          // Compact once the consumed prefix dominates, so a long stream does not grow forever.
          if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
            this.#items = this.#items.slice(this.#head);
            this.#head = 0;
          }
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
