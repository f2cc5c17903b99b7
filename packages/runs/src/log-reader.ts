// The seam every log shares: subscribe live first, replay the stored events, then tail the live
// ones, dropping what the replay already yielded and filling any hole from the store. Runs,
// rooms and the activity feed all read through here, so resume is exact for each of them.
import { AsyncQueue } from './async-queue.ts';
import type { LiveChannel, LogSource, ReadOptions, Sequenced } from './ports.ts';

const PAGE = 500;

export interface LogParts<E extends Sequenced> {
  source: LogSource<E>;
  live: LiveChannel<E>;
  /** After such an event the key has nothing more to say: the reader ends. */
  isTerminal: (event: E) => boolean;
}

async function* backlog<E extends Sequenced>(
  source: LogSource<E>,
  key: string,
  afterSeq: number,
  untilSeq: number,
  opts: ReadOptions | undefined,
): AsyncGenerator<E> {
  let last = afterSeq;
  while (last < untilSeq) {
    const page = await source.after(key, last, PAGE, opts);
    for (const event of page) {
      if (event.seq > untilSeq) return;
      yield event;
      last = event.seq;
    }
    if (page.length < PAGE) return;
  }
}

/** Stored events of `key` after `afterSeq`, then live ones: each once, in seq order, no gap. */
export async function* readLog<E extends Sequenced>(
  parts: LogParts<E>,
  key: string,
  afterSeq: number,
  signal?: AbortSignal,
  opts?: ReadOptions,
): AsyncGenerator<E> {
  const { source, live, isTerminal } = parts;
  const queue = new AsyncQueue<E>();
  const unsubscribe = live.subscribe(key, (event) => queue.push(event));
  try {
    // Asked before the replay: a key that had ended by now has every event in the store, and
    // one that had not will publish its terminal event to the queue subscribed above.
    const endedBefore = await source.ended(key);
    let last = afterSeq;
    for await (const event of backlog(source, key, last, Number.POSITIVE_INFINITY, opts)) {
      yield event;
      last = event.seq;
      if (isTerminal(event)) return;
    }
    if (endedBefore) return;
    for await (const event of queue.drain(signal)) {
      if (event.seq <= last) continue; // already replayed from the store
      if (event.seq > last + 1) {
        // Live delivery may skip (a channel that dropped a message, a writer that published
        // late); the store has it all.
        for await (const missed of backlog(source, key, last, event.seq - 1, opts)) {
          yield missed;
          last = missed.seq;
          if (isTerminal(missed)) return;
        }
      }
      yield event;
      last = event.seq;
      if (isTerminal(event)) return;
    }
  } finally {
    unsubscribe();
  }
}
