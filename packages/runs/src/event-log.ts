// The default event log: a durable history (the store) plus a live channel. `read` is the seam
// that makes resume exact: subscribe live first, replay the history, then tail the live events,
// dropping what the replay already yielded and filling any hole from the history.
import { isTerminalEvent, type RunEvent } from '@querylane/contracts';
import { AsyncQueue } from './async-queue.ts';
import type { EventHistory, EventLog, LiveChannel, ReadOptions, RunPatch } from './ports.ts';

const PAGE = 500;

export function createEventLog(opts: { history: EventHistory; live: LiveChannel }): EventLog {
  const { history, live } = opts;

  async function* backlog(runId: string, afterSeq: number, untilSeq: number, opts?: ReadOptions) {
    let last = afterSeq;
    while (last < untilSeq) {
      const page = await history.after(runId, last, PAGE, opts);
      for (const event of page) {
        if (event.seq > untilSeq) return;
        yield event;
        last = event.seq;
      }
      if (page.length < PAGE) return;
    }
  }

  async function* read(runId: string, afterSeq: number, signal?: AbortSignal, opts?: ReadOptions) {
    const queue = new AsyncQueue<RunEvent>();
    const unsubscribe = live.subscribe(runId, (event) => queue.push(event));
    try {
      // Asked before the replay: a run that had ended by now has every event in the history,
      // and one that had not will publish its terminal event to the queue subscribed above.
      const endedBefore = await history.ended(runId);
      let last = afterSeq;
      for await (const event of backlog(runId, last, Number.POSITIVE_INFINITY, opts)) {
        yield event;
        last = event.seq;
        if (isTerminalEvent(event)) return;
      }
      if (endedBefore) return;
      for await (const event of queue.drain(signal)) {
        if (event.seq <= last) continue; // already replayed from the history
        if (event.seq > last + 1) {
          // Live delivery may skip (a channel that dropped a message); the history has it all.
          for await (const missed of backlog(runId, last, event.seq - 1, opts)) {
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
      live.publish(runId, events);
    },
    read,
    listenerCount: (runId) => live.listenerCount(runId),
  };
}
