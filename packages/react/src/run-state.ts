// Folds a run's event stream (or, as a fallback, its stored record) into the one state `useRun`
// returns. Pure, so replays, reconnects and duplicate events are tested without a browser.
import {
  type EventOf,
  isTerminalStatus,
  type Result,
  type Run,
  type RunEvent,
  type RunFailure,
  type RunStatus,
} from '@querylane/client';

export type Stage = EventOf<'stage'>['stage'];
export type PlanStep = EventOf<'plan'>['steps'][number];

export interface RetryNotice {
  stage: Stage;
  attempt: number;
  maxAttempts: number;
  reason: string;
}

/** One stage of the pipeline as it went: its latest message and the retries it took. */
export interface StageStep {
  stage: Stage;
  message: string;
  /** Retries of this stage, oldest first (`attempt` is the attempt that follows the failure). */
  retries: RetryNotice[];
}

/** The answer of a question run as it is being written: the text of its latest attempt. */
export interface AnswerDraft {
  attempt: number;
  text: string;
}

export interface RunView {
  runId: string;
  status: RunStatus;
  /** Highest event seq folded in; 0 before the first. */
  lastSeq: number;
  stage: Stage | null;
  /** 0–100, never moving backwards. */
  progress: number;
  /** What the run is doing, in words. */
  message: string;
  /** Every event folded in, in seq order, each once. */
  events: RunEvent[];
  plan: PlanStep[] | null;
  rowsFetched: number | null;
  /** Place in line while queued (1 starts next). */
  queuePosition: number | null;
  retry: RetryNotice | null;
  /**
   * The stages in the order the run first entered them, each once, with its latest message and
   * its retries (a question run's validate step shows "attempt 2 of 3" and why).
   */
  timeline: StageStep[];
  /** A question run's answer while `answer` events stream it; a new attempt starts it over. */
  answer: AnswerDraft | null;
  result: Result | null;
  /** Why the run failed (or was interrupted). */
  error: RunFailure | null;
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
    events: [],
    plan: null,
    rowsFetched: null,
    queuePosition: null,
    retry: null,
    timeline: [],
    answer: null,
    result: null,
    error: null,
    cancelReason: null,
    startedAt: null,
    finishedAt: null,
  };
}

/** The timeline with `stage` updated by `change`, appended when the run had not entered it yet. */
function onStep(
  timeline: readonly StageStep[],
  stage: Stage,
  change: (step: StageStep) => StageStep,
): StageStep[] {
  const at = timeline.findIndex((s) => s.stage === stage);
  if (at < 0) return [...timeline, change({ stage, message: '', retries: [] })];
  return timeline.map((s, i) => (i === at ? change(s) : s));
}

/** Deltas of the attempt being written are appended; a later attempt replaces the text. */
function withAnswer(draft: AnswerDraft | null, attempt: number, delta: string): AnswerDraft | null {
  if (!draft || attempt > draft.attempt) return { attempt, text: delta };
  if (attempt === draft.attempt) return { attempt, text: draft.text + delta };
  // A delta of an attempt already replaced cannot arrive in seq order; if it did, it is stale.
  return draft;
}

/**
 * Applies one event. Events at or below `lastSeq` are dropped: a resubscription replays from its
 * start and the seam of a reconnect may repeat one, and folding an event twice must not count.
 */
export function applyEvent(view: RunView, event: RunEvent): RunView {
  if (event.seq <= view.lastSeq || isTerminalStatus(view.status)) return view;
  const next: RunView = { ...view, lastSeq: event.seq, events: [...view.events, event] };
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
        queuePosition: null,
        retry: event.stage === view.retry?.stage ? view.retry : null,
        timeline: onStep(view.timeline, event.stage, (s) => ({ ...s, message: event.message })),
      };
    case 'queued':
      return {
        ...next,
        status: 'queued',
        queuePosition: event.position,
        message:
          event.position === 1 ? 'Queued: next to run' : `Queued: #${event.position} in line`,
      };
    case 'plan':
      return { ...next, plan: event.steps };
    case 'rows':
      return { ...next, rowsFetched: event.fetched };
    case 'answer':
      return { ...next, answer: withAnswer(view.answer, event.attempt, event.delta) };
    case 'retry': {
      const retry: RetryNotice = {
        stage: event.stage,
        attempt: event.attempt,
        maxAttempts: event.maxAttempts,
        reason: event.reason,
      };
      return {
        ...next,
        retry,
        timeline: onStep(view.timeline, event.stage, (s) => ({
          ...s,
          retries: [...s.retries, retry],
        })),
      };
    }
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
        // The server ends runs a shutdown or crash cut off with a failed event coded INTERRUPTED.
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
    default:
      // An event type newer than this package: kept in `events`, nothing else changes.
      return next;
  }
}

export function applyEvents(view: RunView, events: readonly RunEvent[]): RunView {
  return events.reduce(applyEvent, view);
}

/**
 * The view of a run from its stored record: for a stream that ended without a terminal event,
 * where the record has the last word. The events already folded in are kept.
 */
export function withRecord(view: RunView, run: Run): RunView {
  return {
    ...view,
    status: run.status,
    stage: run.stage ?? view.stage,
    progress: isTerminalStatus(run.status) ? 100 : Math.max(view.progress, run.progress),
    message: run.error?.message ?? (run.status === 'queued' ? 'Queued' : run.status),
    result: run.result ?? view.result,
    error: run.error ?? view.error,
    startedAt: run.startedAt ?? view.startedAt,
    finishedAt: run.finishedAt ?? view.finishedAt,
  };
}
