// The assistant's side of a conversation: one message per run outcome. Losing one is logged,
// never fatal — the run's events already say how it ended.
import type { ConversationStore, RunRecord } from './ports.ts';

export async function sayAboutRun(
  conversations: ConversationStore,
  run: Pick<RunRecord, 'id' | 'conversationId' | 'userId'>,
  content: string,
  log: (message: string, err?: unknown) => void,
): Promise<void> {
  await conversations
    .appendMessage({
      id: crypto.randomUUID(),
      conversationId: run.conversationId,
      userId: run.userId,
      role: 'assistant',
      content,
      runId: run.id,
    })
    .catch((err: unknown) => log(`run ${run.id}: the assistant message was lost`, err));
}
