// The default event log: a durable history (the store) plus a live channel. `read` is the seam
// that makes resume exact: subscribe live first, replay, then tail the live events, dropping what
// the replay already yielded and filling any hole — from the channel's window of recent events
// when it keeps one (Redis Streams), else from the history, which has everything.
import { isTerminalEvent, type RunEvent } from '@querylane/contracts';
import { AsyncQueue } from './async-queue.ts';
import type { EventHistory, EventLog, LiveChannel, RunPatch } from './ports.ts';

const PAGE = 500;
/** Queued by the channel when it may have dropped events: look in the history again. */
const RESYNC = Symbol('resync');

/** The part of `events` that continues exactly after `last`, with no gap. */
function continuing(events: readonly RunEvent[], last: number): RunEvent[] {
  let n = 0;
  while (n < events.length && events[n]?.seq === last + n + 1) n += 1;
  return n === events.length ? (events as RunEvent[]) : events.slice(0, n);
}

export function createEventLog(opts: { history: EventHistory; live: LiveChannel }): EventLog {
  const { history, live } = opts;

  /** Stored events after `afterSeq` up to `untilSeq`, in order and with no gap. */
  async function* fill(runId: string, afterSeq: number, untilSeq: number) {
    let last = afterSeq;
    // The window serves while it continues from where we are; once it cannot, the history does.
    let window = live.recent !== undefined;
    while (last < untilSeq) {
      let page: RunEvent[] = [];
      if (window) {
        const recent = await live.recent?.(runId, last, PAGE).catch(() => []);
        page = continuing(recent ?? [], last);
        if (page.length < PAGE) window = false;
      }
      const fromHistory = page.length === 0;
      if (fromHistory) page = await history.after(runId, last, PAGE);
      for (const event of page) {
        if (event.seq > untilSeq) return;
        yield event;
        last = event.seq;
      }
      if (fromHistory && page.length < PAGE) return;
    }
  }

  async function* read(runId: string, afterSeq: number, signal?: AbortSignal) {
    const queue = new AsyncQueue<RunEvent | typeof RESYNC>();
    let resyncQueued = false;
    const unsubscribe = await live.subscribe(runId, {
      onEvent: (event) => queue.push(event),
      onResync: () => {
        if (resyncQueued) return;
        resyncQueued = true;
        queue.push(RESYNC);
      },
    });
    try {
      // Asked before the replay: a run that had ended by now has every event in the history,
      // and one that had not will publish its terminal event to the queue subscribed above.
      const endedBefore = await history.ended(runId);
      let last = afterSeq;
      for await (const event of fill(runId, last, Number.POSITIVE_INFINITY)) {
        yield event;
        last = event.seq;
        if (isTerminalEvent(event)) return;
      }
      if (endedBefore) return;
      for await (const item of queue.drain(signal)) {
        if (item === RESYNC) {
          // The channel was cut off: whatever it dropped is in the history.
          resyncQueued = false;
          for await (const missed of fill(runId, last, Number.POSITIVE_INFINITY)) {
            yield missed;
            last = missed.seq;
            if (isTerminalEvent(missed)) return;
          }
          continue;
        }
        const event = item;
        if (event.seq <= last) continue; // already replayed
        if (event.seq > last + 1) {
          // Live delivery may skip (a channel that dropped a message); the history has it all.
          for await (const missed of fill(runId, last, event.seq - 1)) {
            yield missed;
            last = missed.seq;
          }
        }
        yield event;
        last = event.seq;
        if (isTerminalEvent(event)) return;
      }
    } finally {
      unsubscribe();
    }
  }

  return {
    async append(runId: string, events: readonly RunEvent[], patch: RunPatch) {
      await history.append(runId, events, patch);
      await live.publish(runId, events);
    },
    read,
    listenerCount: (runId) => live.listenerCount(runId),
  };
}
