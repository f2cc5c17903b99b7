// Writes for runs this node does not execute — a place in line, a cancel before the run started,
// the end of a run whose node died — each continuing from the stored seq, since other nodes may
// have written the run meanwhile; and waiting for a run that another node is ending.
import { isTerminalStatus, type RunEventInput } from '@querylane/contracts';
import { sayAboutRun } from './assistant.ts';
import { RunEndedError, SeqConflictError } from './errors.ts';
import type { ConversationStore, EventLog, RunRecord, RunStore } from './ports.ts';
import { RunRecorder } from './recorder.ts';

export interface OneWriteDeps {
  runs: RunStore;
  events: EventLog;
}

/**
 * Writes one event after the run's stored ones. Another writer may get there first; then it
 * reads the run again. Resolves with the run as it was before the event, or undefined when the
 * run had already ended (or is gone) and nothing was written; rejects with what the store said
 * otherwise.
 */
export async function writeOnce(
  deps: OneWriteDeps,
  runId: string,
  input: RunEventInput,
): Promise<RunRecord | undefined> {
  for (let attempt = 1; ; attempt++) {
    const run = await deps.runs.get(runId);
    if (!run || isTerminalStatus(run.status)) return undefined;
    const recorder = new RunRecorder(runId, run.lastSeq, deps.events);
    recorder.emit(input);
    await recorder.flush();
    const failure = recorder.failure?.error;
    if (failure === undefined) return run;
    if (failure instanceof RunEndedError) return undefined;
    if (!(failure instanceof SeqConflictError) || attempt >= 5) throw failure;
  }
}

/** Resolves once the run's terminal event is stored (or after `waitMs`, or if it is gone). */
export async function untilEnded(deps: OneWriteDeps, runId: string, waitMs: number): Promise<void> {
  const run = await deps.runs.get(runId);
  if (!run || isTerminalStatus(run.status)) return;
  const signal = AbortSignal.timeout(waitMs);
  for await (const _ of deps.events.read(runId, run.lastSeq, signal)) {
    // read() returns after the terminal event.
  }
}

/**
 * Ends a run that never started (cancelled before it ran, its conversation deleted) and says so
 * in its conversation. A cancel the store refuses is logged: the run stays `queued` in the store.
 */
export async function endWaiting(
  deps: OneWriteDeps & {
    conversations: ConversationStore;
    log: (message: string, err?: unknown) => void;
  },
  runId: string,
  reason: string,
): Promise<void> {
  let run: RunRecord | undefined;
  try {
    run = await writeOnce(deps, runId, { type: 'cancelled', reason });
  } catch (err) {
    deps.log(`run ${runId}: could not store its cancel`, err);
    return;
  }
  if (run) await sayAboutRun(deps.conversations, run, `${reason}.`, deps.log);
}
