// Runs one claimed run: hands it to the pipeline of its kind, records what the pipeline emits,
// and ends it with exactly one terminal event and the assistant's message. Whatever fails —
// the pipeline, the model, the store — ends this run only, never the process.
import { isTerminalStatus, type Result, type RunError } from '@querylane/contracts';
import { sayAboutRun } from './assistant.ts';
import {
  abortReason,
  LeaseLostError,
  RunCancelledError,
  RunEndedError,
  storeFault,
  toRunError,
} from './errors.ts';
import type {
  ConversationStore,
  EventLog,
  Pipeline,
  RunKind,
  RunLimits,
  RunStore,
} from './ports.ts';
import { RunRecorder } from './recorder.ts';
import { LEASE_LOST_REASON } from './scheduler.ts';

/** Abort reason when the server stops: the run ends `interrupted`, not `cancelled`. */
export const SHUTDOWN_REASON = 'server-shutdown';
const STORE_FAILED_REASON = 'store-failed';
/** While the store cannot take a run's end (busy, full), it is tried again this often… */
const END_RETRY_MS = 5_000;
/** …for about ten minutes; after that the next start's recovery ends the run. */
const END_RETRIES = 120;

export const interruptedError: RunError = {
  code: 'INTERRUPTED',
  message: 'The server stopped while this run was in progress.',
  hint: 'Run the query again.',
  retryable: true,
};

const storeFailedError: RunError = {
  code: 'STORE_UNAVAILABLE',
  message: 'The run could not be saved (the history store was busy or full), so it was stopped.',
  hint: 'Try again shortly; if it keeps failing, the server log has the details.',
  retryable: true,
};

export interface ExecutorDeps {
  runs: RunStore;
  events: EventLog;
  conversations: ConversationStore;
  pipelines: ReadonlyMap<RunKind, Pipeline>;
  limits: RunLimits;
  log: (message: string, err?: unknown) => void;
}

/**
 * Runs a claimed run to its end. Resolves true once its terminal event is stored (or there is
 * nothing left to do), false when its end could not be written here: then its lease runs out
 * and a reaper ends it.
 */
export async function executeRun(
  deps: ExecutorDeps,
  runId: string,
  signal: AbortSignal,
): Promise<boolean> {
  const run = await deps.runs.get(runId);
  if (!run || isTerminalStatus(run.status)) return true;
  // The run may have been written by other nodes while it waited (its place in line): the
  // recorder continues from what is stored.
  const recorder = new RunRecorder(run.id, run.lastSeq, deps.events);
  const say = (content: string) => sayAboutRun(deps.conversations, run, content, deps.log);

  const storeFailed = new AbortController();
  recorder.onFailure = (err) => {
    if (!isFinal(err)) deps.log(`run ${run.id}: events could not be stored`, err);
    storeFailed.abort(STORE_FAILED_REASON);
  };
  const runSignal = AbortSignal.any([signal, storeFailed.signal]);
  recorder.patch({ status: 'running', startedAt: new Date() });
  let result: Result;
  try {
    const pipeline = deps.pipelines.get(run.kind);
    if (!pipeline) throw new Error(`no pipeline for runs of kind ${run.kind}`);
    result = await pipeline.run(
      {
        runId: run.id,
        userId: run.userId,
        conversationId: run.conversationId,
        datasetId: run.datasetId,
        kind: run.kind,
        query: run.query,
      },
      {
        emit: (event) => {
          if (!runSignal.aborted) recorder.emit(event);
        },
        signal: runSignal,
        limits: deps.limits,
        finalize: async (res) => {
          recorder.patch({ result: res });
          await recorder.flush();
          if (recorder.failure) throw new RunCancelledError(STORE_FAILED_REASON);
          // A question's answer is what the assistant says; a SQL run gets the summary.
          await say(res.answer ?? res.summary);
        },
      },
    );
  } catch (err) {
    if (signal.reason === LEASE_LOST_REASON) return false;
    if (storeFailed.signal.aborted) return endUnstored(recorder, deps, run.id);
    if (err instanceof RunCancelledError || signal.aborted) {
      if (signal.reason === SHUTDOWN_REASON) {
        recorder.emit({ type: 'failed', error: interruptedError });
        await say(interruptedError.message);
      } else {
        const reason = signal.aborted ? abortReason(signal) : (err as Error).message;
        recorder.emit({ type: 'cancelled', reason });
        await say(`Cancelled: ${reason}.`);
      }
      return settle(recorder, deps, run.id);
    }
    const error = toRunError(err);
    if (error.code === 'INTERNAL') deps.log(`run ${run.id} failed with an internal error`, err);
    recorder.emit({ type: 'failed', error });
    await say(error.hint ? `${error.message} ${error.hint}` : error.message);
    return settle(recorder, deps, run.id);
  }
  recorder.emit({ type: 'completed', result });
  return settle(recorder, deps, run.id);
}

/** Waits for the run's writes; a terminal event that could not be stored is retried once. */
async function settle(recorder: RunRecorder, deps: ExecutorDeps, runId: string): Promise<boolean> {
  await recorder.flush();
  return recorder.failure ? endUnstored(recorder, deps, runId) : true;
}

/** Another node ended the run or holds it now: writing anything more would contradict it. */
function isFinal(err: unknown): boolean {
  return err instanceof RunEndedError || err instanceof LeaseLostError;
}

/**
 * The store refused this run's events: what it did not take was never shown to anyone, so the
 * run continues from its last stored event with one terminal `failed`. If even that cannot be
 * written while the store is busy or full, it is tried again in the background (the run holds no
 * slot meanwhile) until the store takes it; if it cannot be written at all (the run's row is
 * gone), the failure is logged and the run left to recovery at the next start.
 */
async function endUnstored(
  recorder: RunRecorder,
  deps: ExecutorDeps,
  runId: string,
): Promise<boolean> {
  const refused = recorder.failure?.error;
  if (isFinal(refused)) {
    deps.log(`run ${runId}: stopped here; ${(refused as Error).message}`);
    return refused instanceof RunEndedError;
  }
  const writeEnd = async (): Promise<unknown> => {
    recorder.resetToStored();
    recorder.onFailure = undefined;
    recorder.emit({ type: 'failed', error: storeFailedError });
    await recorder.flush();
    return recorder.failure?.error;
  };
  const first = await writeEnd();
  if (first === undefined) return true;
  if (isFinal(first)) return first instanceof RunEndedError;
  if (storeFault(first) === null) {
    deps.log(`run ${runId}: could not store its end either`, first);
    return false;
  }
  deps.log(
    `run ${runId}: the store cannot take its end yet; trying again every ${END_RETRY_MS / 1000} s`,
    first,
  );
  void (async () => {
    for (let i = 0; i < END_RETRIES; i++) {
      await new Promise((resolve) => setTimeout(resolve, END_RETRY_MS).unref());
      const err = await writeEnd().catch((e: unknown) => e);
      if (err === undefined) {
        deps.log(`run ${runId}: its end is stored now`);
        return;
      }
      // Ended meanwhile by a node that took its lapsed lease over, or not writable at all.
      if (isFinal(err) || storeFault(err) === null) {
        if (!isFinal(err)) deps.log(`run ${runId}: could not store its end`, err);
        return;
      }
    }
    deps.log(`run ${runId}: gave up storing its end; the next start ends it as interrupted`);
  })();
  // Not stored yet: the run keeps its lease until it runs out (then a reaper may end it).
  return false;
}
