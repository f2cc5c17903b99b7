// What runs.start writes for a new run, in one transaction: the conversation when it is new, the
// run, the person's message and the run's first event.
import type { RunEvent } from '@querylane/contracts';
import type { RunKind, RunStore } from './ports.ts';
import { titleFromQuery } from './titles.ts';

export interface StartInput {
  kind: RunKind;
  query: string;
  datasetId: string;
  conversationId?: string | undefined;
}

export function newRunRecords(
  userId: string,
  input: StartInput,
  existing: string | undefined,
): Parameters<RunStore['start']>[0] {
  const conversationId = existing ?? crypto.randomUUID();
  const runId = crypto.randomUUID();
  const started: RunEvent = {
    type: 'started',
    seq: 1,
    runId,
    at: new Date(),
    query: input.query,
    datasetId: input.datasetId,
  };
  return {
    ...(existing === undefined
      ? { conversation: { id: conversationId, userId, title: titleFromQuery(input.query) } }
      : {}),
    run: {
      id: runId,
      userId,
      conversationId,
      datasetId: input.datasetId,
      kind: input.kind,
      query: input.query,
    },
    message: {
      id: crypto.randomUUID(),
      conversationId,
      userId,
      role: 'user',
      content: input.query,
      runId,
    },
    events: [started],
  };
}
