// The default run event log: a durable history (the store) plus a live channel, read through the
// shared seam (follow.ts, log-reader.ts). A run has one writer, its recorder, which numbers the
// events. Appends made in the same tick, by any number of runs, are stored in one transaction
// (group commit) and then published.
import { isTerminalEvent, type RunEvent } from '@querylane/contracts';
import { storeFault } from './errors.ts';
import { followLog, readLog } from './log-reader.ts';
import type { EventBatch, EventHistory, EventLog, LiveChannel, RunPatch } from './ports.ts';

interface Pending extends EventBatch {
  resolve(): void;
  reject(err: unknown): void;
}

export function createEventLog(opts: { history: EventHistory; live: LiveChannel }): EventLog {
  const { history, live } = opts;
  const parts = { source: history, live, isTerminal: isTerminalEvent };
  let group: Pending[] = [];

  async function commit(batch: Pending[]): Promise<void> {
    if (batch.length > 1 && history.appendMany) {
      try {
        await history.appendMany(batch);
      } catch (err) {
        // A busy store refuses every batch alike: each recorder retries on its own timers
        // (written again one by one here, each would block on the lock once more).
        if (storeFault(err) === 'busy') {
          for (const one of batch) one.reject(err);
          return;
        }
        // One run's batch can fail (its run was deleted, say) without failing the others, and a
        // full store still takes a run's end: each is written again alone, and only the one at
        // fault fails.
        for (const one of batch) await commitOne(one);
        return;
      }
      for (const one of batch) await publish(one.runId, one.events);
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
    await publish(one.runId, one.events);
    one.resolve();
  }

  /** In order, run by run: a shared channel (Redis) delivers what each append stored as it went. */
  async function publish(runId: string, events: readonly RunEvent[]): Promise<void> {
    try {
      await live.publish(runId, events);
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
    follow: (runId, afterSeq, sink, readOpts) => followLog(parts, runId, afterSeq, sink, readOpts),
    read: (runId, afterSeq, signal, readOpts) => readLog(parts, runId, afterSeq, signal, readOpts),
    listenerCount: (runId) => live.listenerCount(runId),
  };
}

/** `follow` for an event log that only has `read` (a store that can only be polled, say). */
export function followByReading(read: EventLog['read']): EventLog['follow'] {
  return (runId, afterSeq, sink, readOpts) => {
    const controller = new AbortController();
    void (async () => {
      try {
        for await (const event of read(runId, afterSeq, controller.signal, readOpts)) {
          sink.event(event);
        }
        if (!controller.signal.aborted) sink.end();
      } catch (err) {
        if (!controller.signal.aborted) sink.fail(err);
      }
    })();
    return { stop: () => controller.abort() };
  };
}
