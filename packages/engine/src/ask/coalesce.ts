// Coalesces a stream of text pieces into at most one event per interval (10 a second by
// default): a model writes in tokens, but every event is stored and sent to every watcher.

export interface Coalescer {
  push(text: string): void;
  /** Sends what is buffered now; rethrows an error a timed send met. */
  flush(): void;
  /** Stops the timer without sending. */
  close(): void;
}

export function coalesce(send: (text: string) => void, intervalMs = 100): Coalescer {
  let buffer = '';
  let last = Number.NEGATIVE_INFINITY;
  let timer: NodeJS.Timeout | undefined;
  let failure: { error: unknown } | undefined;
  const out = () => {
    timer = undefined;
    if (buffer === '') return;
    const text = buffer;
    buffer = '';
    last = performance.now();
    send(text);
  };
  return {
    push(text) {
      if (failure) throw failure.error;
      buffer += text;
      if (timer) return;
      const wait = last + intervalMs - performance.now();
      if (wait <= 0) out();
      // A send from a timer must not throw into the event loop: keep it for the next call.
      else
        timer = setTimeout(() => {
          try {
            out();
          } catch (error) {
            failure = { error };
          }
        }, wait);
    },
    flush() {
      clearTimeout(timer);
      timer = undefined;
      if (failure) throw failure.error;
      out();
    },
    close() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
