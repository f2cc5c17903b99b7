// Folds a run's event stream (or its stored record) into the one view model a run card renders.
// Pure, so replays, reconnects and duplicate events can be tested without a browser.
import { isTerminalStatus } from '@querylane/contracts';
import type {
  PlanStep,
  Run,
  RunError,
  RunEvent,
  RunResult,
  RunStatus,
  Stage,
} from './trpc/types.ts';

export interface RetryNotice {
  stage: Stage;
  attempt: number;
  maxAttempts: number;
  reason: string;
}

export interface RunView {
  runId: string;
  status: RunStatus;
  /** Highest event seq folded in; 0 before the first. Also the resume point of a subscription. */
  lastSeq: number;
  stage: Stage | null;
  progress: number;
  message: string;
  plan: PlanStep[] | null;
  rowsFetched: number | null;
  retry: RetryNotice | null;
  result: RunResult | null;
  error: RunError | null;
  cancelReason: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export function initialRunView(runId: string): RunView {
  return {
    runId,
    status: 'queued',
    lastSeq: 0,
    stage: null,
    progress: 0,
    message: 'Queued',
    plan: null,
    rowsFetched: null,
    retry: null,
    result: null,
    error: null,
    cancelReason: null,
    startedAt: null,
    finishedAt: null,
  };
}

/**
 * Applies one event. Events at or below `lastSeq` are dropped: a re-subscription replays from
 * the start (or the seam of a reconnect repeats one), and folding an event twice must not count.
 */
export function applyEvent(view: RunView, event: RunEvent): RunView {
  if (event.seq <= view.lastSeq || isTerminalStatus(view.status)) return view;
  const next: RunView = { ...view, lastSeq: event.seq };
  switch (event.type) {
    case 'started':
      return { ...next, status: 'running', startedAt: event.at, message: 'Started' };
    case 'stage':
      return {
        ...next,
        status: 'running',
        stage: event.stage,
        // Progress never moves backwards on screen, even if a retry re-enters a stage.
        progress: Math.max(view.progress, event.progress),
        message: event.message,
        retry: event.stage === view.retry?.stage ? view.retry : null,
      };
    case 'queued':
      return {
        ...next,
        status: 'queued',
        message:
          event.position === 1 ? 'Queued: next to run' : `Queued: #${event.position} in line`,
      };
    case 'plan':
      return { ...next, plan: event.steps };
    case 'rows':
      return { ...next, rowsFetched: event.fetched };
    case 'answer':
      // Question runs (issue 11): the answer text is shown from the result for now.
      return next;
    case 'retry':
      return {
        ...next,
        retry: {
          stage: event.stage,
          attempt: event.attempt,
          maxAttempts: event.maxAttempts,
          reason: event.reason,
        },
      };
    case 'completed':
      return {
        ...next,
        status: 'completed',
        progress: 100,
        message: 'Completed',
        result: event.result,
        rowsFetched: event.result.rowCount,
        retry: null,
        finishedAt: event.at,
      };
    case 'failed':
      return {
        ...next,
        // The server ends runs a shutdown cut off with a failed event coded INTERRUPTED.
        status: event.error.code === 'INTERRUPTED' ? 'interrupted' : 'failed',
        progress: 100,
        message: event.error.message,
        error: event.error,
        retry: null,
        finishedAt: event.at,
      };
    case 'cancelled':
      return {
        ...next,
        status: 'cancelled',
        message: 'Cancelled',
        cancelReason: event.reason,
        retry: null,
        finishedAt: event.at,
      };
  }
}

export function applyEvents(view: RunView, events: readonly RunEvent[]): RunView {
  return events.reduce(applyEvent, view);
}

const stages: ReadonlySet<string> = new Set<Stage>([
  'plan',
  'validate',
  'execute',
  'interpret',
  'finalize',
]);

// The stored record types its stage as a plain string; only the known ones are shown as stages.
const asStage = (stage: string | null): Stage | null =>
  stage !== null && stages.has(stage) ? (stage as Stage) : null;

/** The view of a run from its stored record, used for finished runs instead of a full replay. */
export function runViewFromRecord(run: Run): RunView {
  return {
    ...initialRunView(run.id),
    status: run.status,
    lastSeq: run.lastSeq,
    stage: asStage(run.stage),
    progress: isTerminalStatus(run.status) ? 100 : (run.progress ?? 0),
    message: run.status === 'queued' ? 'Queued' : run.status,
    result: run.result ?? null,
    error: run.error ?? null,
    rowsFetched: run.result?.rowCount ?? null,
    startedAt: run.startedAt ?? null,
    finishedAt: run.finishedAt ?? null,
  };
}
