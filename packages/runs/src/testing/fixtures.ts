// Small builders shared by the contract suites: a run with its conversation, and events.
import type { RunEvent, RunEventInput } from '@querylane/contracts';
import type { Stores } from '../ports.ts';

export const T0 = 1_700_000_000_000;

export function eventAt(runId: string, seq: number, input: RunEventInput): RunEvent {
  return { ...input, seq, runId, at: new Date(T0 + seq) } as RunEvent;
}

export const stageEvent = (runId: string, seq: number, progress = 40): RunEvent =>
  eventAt(runId, seq, { type: 'stage', stage: 'execute', progress, message: 'Running' });

/** A run (with a new conversation) whose first event, `started`, is stored; status `queued`. */
export async function seedRun(
  stores: Pick<Stores, 'runs'>,
  opts: { runId: string; userId?: string; conversationId?: string; newConversation?: boolean },
) {
  const userId = opts.userId ?? 'u1';
  const conversationId = opts.conversationId ?? `c-${opts.runId}`;
  return stores.runs.start({
    ...(opts.newConversation === false
      ? {}
      : { conversation: { id: conversationId, userId, title: `t ${opts.runId}` } }),
    run: {
      id: opts.runId,
      userId,
      conversationId,
      datasetId: 'shop',
      kind: 'sql',
      query: 'SELECT 1',
    },
    message: {
      id: `m-${opts.runId}`,
      conversationId,
      userId,
      role: 'user',
      content: 'SELECT 1',
      runId: opts.runId,
    },
    events: [eventAt(opts.runId, 1, { type: 'started', query: 'SELECT 1', datasetId: 'shop' })],
  });
}
