// The seam every log shares: subscribe live first, replay the stored events, then tail the live
// ones, dropping what the replay already yielded and filling any hole — from the channel's window
// of recent events when it keeps one (Redis Streams), else from the store, which has everything.
// Runs, rooms and the activity feed all read through here, so resume is exact for each of them.
import { AsyncQueue } from './async-queue.ts';
import type { LiveChannel, LogSource, ReadOptions, Sequenced } from './ports.ts';

const PAGE = 500;
/** Queued by the channel when it may have dropped events: look in the store again. */
const RESYNC = Symbol('resync');

export interface LogParts<E extends Sequenced> {
  source: LogSource<E>;
  live: LiveChannel<E>;
  /** After such an event the key has nothing more to say: the reader ends. */
  isTerminal: (event: E) => boolean;
}

/** The part of `events` that continues exactly after `last`, with no gap. */
function continuing<E extends Sequenced>(events: readonly E[], last: number): E[] {
  let n = 0;
  while (n < events.length && events[n]?.seq === last + n + 1) n += 1;
  return n === events.length ? (events as E[]) : events.slice(0, n);
}

/** Stored events of `key` after `afterSeq` up to `untilSeq`, in order and with no gap. */
async function* fill<E extends Sequenced>(
  parts: LogParts<E>,
  key: string,
  afterSeq: number,
  untilSeq: number,
  opts: ReadOptions | undefined,
  useWindow = true,
): AsyncGenerator<E> {
  const { source, live } = parts;
  let last = afterSeq;
  // The window serves while it continues from where we are; once it cannot, the store does.
  let window = useWindow && live.recent !== undefined;
  while (last < untilSeq) {
    let page: E[] = [];
    if (window) {
      const recent = await live.recent?.(key, last, PAGE).catch(() => []);
      page = continuing(recent ?? [], last);
      if (page.length < PAGE) window = false;
    }
    const fromStore = page.length === 0;
    if (fromStore) page = await source.after(key, last, PAGE, opts);
    for (const event of page) {
      if (event.seq > untilSeq) return;
      yield event;
      last = event.seq;
    }
    if (fromStore && page.length < PAGE) return;
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
  const queue = new AsyncQueue<E | typeof RESYNC>();
  let resyncQueued = false;
  const unsubscribe = await live.subscribe(key, {
    onEvent: (event) => queue.push(event),
    onResync: () => {
      if (resyncQueued) return;
      resyncQueued = true;
      queue.push(RESYNC);
    },
  });
  try {
    // Asked before the replay: a key that had ended by now has every event in the store, and
    // one that had not will publish its terminal event to the queue subscribed above.
    const endedBefore = await source.ended(key);
    let last = afterSeq;
    // What has ended (or is gone) is read from the store alone: it has every event, and a key
    // that is gone must show nothing, whatever a window still holds.
    const replay = fill(parts, key, last, Number.POSITIVE_INFINITY, opts, !endedBefore);
    for await (const event of replay) {
      yield event;
      last = event.seq;
      if (isTerminal(event)) return;
    }
    if (endedBefore) return;
    for await (const item of queue.drain(signal)) {
      if (item === RESYNC) {
        // The channel was cut off (or is down): whatever it dropped is in the store.
        resyncQueued = false;
        for await (const missed of fill(parts, key, last, Number.POSITIVE_INFINITY, opts)) {
          yield missed;
          last = missed.seq;
          if (isTerminal(missed)) return;
        }
        continue;
      }
      const event = item;
      if (event.seq <= last) continue; // already replayed
      if (event.seq > last + 1) {
        // Live delivery may skip (a channel that dropped a message, a writer that published
        // late); the store has it all.
        for await (const missed of fill(parts, key, last, event.seq - 1, opts)) {
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
