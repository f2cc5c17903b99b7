// The default run event log: a durable history (the store) plus a live channel, read through the
// shared seam (log-reader.ts). A run has one writer, its recorder, which numbers the events.
import { isTerminalEvent, type RunEvent } from '@querylane/contracts';
import { readLog } from './log-reader.ts';
import type { EventHistory, EventLog, LiveChannel, RunPatch } from './ports.ts';

export function createEventLog(opts: { history: EventHistory; live: LiveChannel }): EventLog {
  const { history, live } = opts;
  const parts = { source: history, live, isTerminal: isTerminalEvent };
  return {
    async append(runId: string, events: readonly RunEvent[], patch: RunPatch) {
      await history.append(runId, events, patch);
      await live.publish(runId, events);
    },
    read: (runId, afterSeq, signal, readOpts) => readLog(parts, runId, afterSeq, signal, readOpts),
    listenerCount: (runId) => live.listenerCount(runId),
  };
}
