// Joins a log with signals that are not history (presence, live figures): both reach one reader
// as they come, and the reader ends when the log does. Cleans up both sides however it ends.
import { AsyncQueue } from './async-queue.ts';

export type Merged<E, S> = { event: E } | { signal: S };

type Item<E, S> = Merged<E, S> | { end: true } | { error: unknown };

/**
 * `log` is started with a signal that aborts when the reader stops; `attach` starts pushing
 * side signals and returns what detaches it.
 */
export async function* withSignals<E, S>(
  log: (signal: AbortSignal) => AsyncIterable<E>,
  attach: (push: (signal: S) => void) => () => void,
  signal?: AbortSignal,
): AsyncGenerator<Merged<E, S>> {
  const inner = new AbortController();
  const stop = signal ? AbortSignal.any([signal, inner.signal]) : inner.signal;
  const queue = new AsyncQueue<Item<E, S>>();
  const pump = (async () => {
    try {
      for await (const event of log(stop)) {
        if (stop.aborted) break; // a long replay stops at once, not at its end
        queue.push({ event });
      }
      queue.push({ end: true });
    } catch (error) {
      queue.push({ error });
    }
  })();
  const detach = attach((s) => queue.push({ signal: s }));
  try {
    for await (const item of queue.drain(stop)) {
      if ('end' in item) return;
      if ('error' in item) throw item.error;
      yield item;
    }
  } finally {
    detach();
    inner.abort();
    await pump;
  }
}
