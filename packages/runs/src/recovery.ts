// What an earlier process left unfinished, found at start-up (by a process alone on its queue):
// a run that was executing ends `interrupted` (its query died with that process); one still
// waiting never started, so it is handed back, in its original order, to queue again here.
import { sayAboutRun } from './assistant.ts';
import { interruptedError } from './executor.ts';
import { writeOnce } from './one-write.ts';
import type { ConversationStore, EventLog, QueueEntry, RunStore } from './ports.ts';

export async function recoverUnfinished(deps: {
  runs: RunStore;
  conversations: ConversationStore;
  events: EventLog;
  log: (message: string, err?: unknown) => void;
}): Promise<{ interrupted: number; waiting: QueueEntry[] }> {
  const waiting: QueueEntry[] = [];
  let interrupted = 0;
  for (const run of await deps.runs.unfinished()) {
    if (run.status === 'running') {
      if (await writeOnce(deps, run.id, { type: 'failed', error: interruptedError })) {
        await sayAboutRun(deps.conversations, run, interruptedError.message, deps.log);
        interrupted += 1;
      }
    } else {
      waiting.push({ runId: run.id, userId: run.userId, conversationId: run.conversationId });
    }
  }
  return { interrupted, waiting };
}
