// The default event log: a durable history (the store) plus a live channel. Appends made in the
// same tick, by any number of runs, are stored in one transaction (group commit) and then
// published; `follow` and `read` make resume exact: subscribe live first, replay the history,
// then tail the live events, dropping what the replay already gave and filling any hole.
import type { RunEvent } from '@querylane/contracts';
import { Follower, FollowIterator } from './follow.ts';
import type {
  EventBatch,
  EventHistory,
  EventLog,
  EventSink,
  LiveChannel,
  RunPatch,
} from './ports.ts';

interface Pending extends EventBatch {
  resolve(): void;
  reject(err: unknown): void;
}

export function createEventLog(opts: { history: EventHistory; live: LiveChannel }): EventLog {
  const { history, live } = opts;
  let group: Pending[] = [];

  async function commit(batch: Pending[]): Promise<void> {
    if (batch.length > 1) {
      try {
        await history.appendMany(batch);
      } catch {
        // One run's batch can fail (its run was deleted, say) without failing the others:
        // each is written again alone, and only the one at fault fails.
        for (const one of batch) await commitOne(one);
        return;
      }
      for (const one of batch) publish(one.runId, one.events);
      for (const one of batch) one.resolve();
      return;
    }
    for (const one of batch) await commitOne(one);
  }

  async function commitOne(one: Pending): Promise<void> {
    try {
      await history.append(one.runId, one.events, one.patch);
    } catch (err) {
      one.reject(err);
      return;
    }
    publish(one.runId, one.events);
    one.resolve();
  }

  function publish(runId: string, events: readonly RunEvent[]): void {
    try {
      live.publish(runId, events);
    } catch {
      // Live delivery is best effort: the events are stored, and readers fill gaps from there.
    }
  }

  return {
    append(runId: string, events: readonly RunEvent[], patch: RunPatch): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        if (group.length === 0) {
          // Written once this tick's other appends have joined (recorders flush together).
          queueMicrotask(() => {
            const batch = group;
            group = [];
            void commit(batch);
          });
        }
        group.push({ runId, events, patch, resolve, reject });
      });
    },
    follow(runId: string, afterSeq: number, sink: EventSink) {
      return new Follower(history, live, runId, afterSeq, sink);
    },
    read(runId: string, afterSeq: number, signal?: AbortSignal): AsyncIterable<RunEvent> {
      return new FollowIterator(
        (sink) => new Follower(history, live, runId, afterSeq, sink),
        signal,
      );
    },
    listenerCount: (runId) => live.listenerCount(runId),
  };
}

/** `follow` for an event log that only has `read` (a store that can only be polled, say). */
export function followByReading(read: EventLog['read']): EventLog['follow'] {
  return (runId, afterSeq, sink) => {
    const controller = new AbortController();
    void (async () => {
      try {
        for await (const event of read(runId, afterSeq, controller.signal)) sink.event(event);
        if (!controller.signal.aborted) sink.end();
      } catch (err) {
        if (!controller.signal.aborted) sink.fail(err);
      }
    })();
    return { stop: () => controller.abort() };
  };
}
