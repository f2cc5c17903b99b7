// What an earlier process left unfinished, found at start-up: a run that was executing ends
// `interrupted` (its query died with that process); one still waiting never started, so it is
// handed back, in its original order, to queue again here.
import { sayAboutRun } from './assistant.ts';
import { interruptedError } from './executor.ts';
import type { ConversationStore, EventLog, QueueEntry, RunStore } from './ports.ts';
import { RunRecorder } from './recorder.ts';

export async function recoverUnfinished(deps: {
  runs: RunStore;
  conversations: ConversationStore;
  events: EventLog;
  log: (message: string, err?: unknown) => void;
}): Promise<{ interrupted: number; waiting: { entry: QueueEntry; recorder: RunRecorder }[] }> {
  const waiting: { entry: QueueEntry; recorder: RunRecorder }[] = [];
  let interrupted = 0;
  for (const run of await deps.runs.unfinished()) {
    const recorder = new RunRecorder(run.id, run.lastSeq, deps.events);
    if (run.status === 'running') {
      recorder.emit({ type: 'failed', error: interruptedError });
      await recorder.flush();
      await sayAboutRun(deps.conversations, run, interruptedError.message, deps.log);
      interrupted += 1;
    } else {
      const entry = { runId: run.id, userId: run.userId, conversationId: run.conversationId };
      waiting.push({ entry, recorder });
    }
  }
  return { interrupted, waiting };
}
