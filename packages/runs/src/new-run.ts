// What runs.start writes for a new run, in one transaction: the conversation when it is new, the
// run, the person's message and the run's first event.
import type { RunEvent } from '@querylane/contracts';
import { ConflictError } from './errors.ts';
import type { RunKind, RunStore } from './ports.ts';
import { titleFromQuery } from './titles.ts';

export interface StartInput {
  kind: RunKind;
  query: string;
  datasetId: string;
  conversationId?: string | undefined;
  /**
   * Chosen by the client (a random UUID), so that starting again after a lost reply or a cut
   * socket finds the same run instead of starting a second one.
   */
  runId?: string | undefined;
}

/** What a start gives back: the run, and the events it committed with it. */
export interface Started {
  runId: string;
  conversationId: string;
  stored: readonly RunEvent[];
}

export function newRunRecords(
  userId: string,
  input: StartInput,
  existing: string | undefined,
): Parameters<RunStore['start']>[0] {
  const conversationId = existing ?? crypto.randomUUID();
  const runId = input.runId ?? crypto.randomUUID();
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

/**
 * The run a start with a client-chosen id already made: the same person, the same text, the
 * same place (undefined when there is none yet). An id taken by anything else is a conflict.
 */
export async function alreadyStarted(
  runs: Pick<RunStore, 'get'>,
  userId: string,
  input: StartInput,
): Promise<Started | undefined> {
  if (input.runId === undefined) return undefined;
  const run = await runs.get(input.runId);
  if (run === undefined) return undefined;
  const same =
    run.userId === userId &&
    run.kind === input.kind &&
    run.query === input.query &&
    run.datasetId === input.datasetId &&
    (input.conversationId === undefined || run.conversationId === input.conversationId);
  if (!same) throw new ConflictError(`Run id ${input.runId} is taken; start with a new one.`);
  return { runId: run.id, conversationId: run.conversationId, stored: [] };
}
