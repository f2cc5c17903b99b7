// The earlier turns of a run's conversation, for follow-ups: each earlier question (or SQL) the
// person asked, oldest first, with the SQL that answered it, read from the run lifecycle's ports.
import type { ConversationStore, PipelineInput, RunStore } from '@querylane/runs';
import type { ConversationTurn } from './prompts.ts';

const MAX_TURNS = 6;

export function conversationHistory(stores: {
  conversations: Pick<ConversationStore, 'messages'>;
  runs: Pick<RunStore, 'get' | 'result'>;
}): (input: PipelineInput) => Promise<ConversationTurn[]> {
  return async (input) => {
    const messages = await stores.conversations.messages(input.conversationId);
    const own = messages.findIndex((m) => m.runId === input.runId && m.role === 'user');
    const earlier = (own === -1 ? messages : messages.slice(0, own))
      .filter((m) => m.role === 'user' && m.runId !== null)
      .slice(-MAX_TURNS);
    const turns: ConversationTurn[] = [];
    for (const m of earlier) {
      const run = await stores.runs.get(m.runId as string);
      if (!run) continue;
      const result = run.status === 'completed' ? await stores.runs.result(run.id) : null;
      const sql = run.kind === 'sql' ? run.query : result?.sql;
      turns.push(sql ? { question: m.content, sql } : { question: m.content });
    }
    return turns;
  };
}
