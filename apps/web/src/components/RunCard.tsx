// One turn of the thread: what was asked (a question as a chat bubble, SQL as code), then the
// run's card — live progress while it runs (and that the connection is lost, when it is), then
// its answer, result, error or cancellation, with "Run again". Memoised: a card re-renders when
// its own run changes, not when the thread around it does.
import { isTerminalStatus, type RunKind } from '@querylane/contracts';
import { type RunView, useRun } from '@querylane/react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { memo, useEffect, useRef } from 'react';
import { useAnnounce } from '../announcer.tsx';
import { QuestionBody } from '../ask/QuestionBody.tsx';
import { looksLikeSql } from '../ask/question-text.ts';
import { useComposer } from '../composer-store.ts';
import { formatCount, formatDuration, shortQuery } from '../format.ts';
import { useConnectionStatus } from '../trpc/connection.ts';
import { useSocketState, useTRPC } from '../trpc/react.tsx';
import { Asked } from './Asked.tsx';
import { ResultView } from './ResultView.tsx';
import { ErrorBox, PlanSteps, Progress } from './RunParts.tsx';

const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);

/** Says a run's end once, when this tab sees it happen (not when history loads). */
function useEndAnnouncement(
  view: RunView,
  loading: boolean,
  live: boolean,
  query: string,
  kind: RunKind,
) {
  const announce = useAnnounce();
  const composer = useComposer();
  const seen = useRef<RunView['status'] | null>(null);
  useEffect(() => {
    if (loading) return;
    const before = seen.current;
    seen.current = view.status;
    if (before === null || isTerminalStatus(before) || !isTerminalStatus(view.status)) return;
    const what = shortQuery(query, 60);
    if (view.status === 'completed') {
      const n = view.result?.rowCount ?? 0;
      const rows = `${formatCount(n)} ${n === 1 ? 'row' : 'rows'}`;
      announce(
        kind === 'question' ? `Answered, ${rows}: ${what}` : `Run completed, ${rows}: ${what}`,
      );
    } else if (view.status === 'cancelled') {
      announce(`Run cancelled: ${what}`);
    } else {
      const error = view.error;
      announce(
        `Run ${view.status}: ${error ? `${error.code}, ${error.message}` : what}`,
        'assertive',
      );
    }
    // A run that gave no result gives its text back to the editor.
    if (live && view.status !== 'completed') composer.failed(view.runId);
  }, [view, loading, live, query, kind, announce, composer]);
}

export const RunCard = memo(function RunCard(props: {
  runId: string;
  conversationId: string | null;
  live: boolean;
  /** The question or the SQL, as written. */
  query: string;
  /** Known for a run started in this tab; otherwise the run's record says. */
  kind: RunKind | undefined;
  /** Who asked, in a shared room, when it was someone else. */
  by: string | undefined;
  /** The id the turn is labelled by. */
  labelId: string;
  onRunAgain: (text: string, kind: RunKind) => void;
  onAsk: (question: string) => void;
  /** A run this card followed live has ended. */
  onEnded: (runId: string) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const view = useRun(props.runId, {
    // A run this tab just started is followed from its first event, without waiting for its record.
    justStarted: props.live,
    // Its end also adds the assistant message and reorders the conversation list.
    onEnd: () => {
      props.onEnded(props.runId);
      void queryClient.invalidateQueries({ queryKey: trpc.conversations.list.pathKey() });
      if (props.conversationId) {
        void queryClient.invalidateQueries({
          queryKey: trpc.conversations.byId.queryKey({ conversationId: props.conversationId }),
        });
      }
    },
  });
  const { loading } = view;
  const problem = view.streamError?.message ?? null;
  const cancel = useMutation(trpc.runs.cancel.mutationOptions());
  const connection = useConnectionStatus(useSocketState());
  const running = !isTerminalStatus(view.status);
  // Until the record says, a run's text tells: a history opens with every card's kind right.
  const kind = view.kind ?? props.kind ?? (looksLikeSql(props.query) ? 'sql' : 'question');
  const question = kind === 'question';
  useEndAnnouncement(view, loading, props.live, props.query, kind);

  return (
    <>
      <Asked kind={kind} text={props.query} by={props.by} id={props.labelId} />
      {/* biome-ignore lint/a11y/useSemanticElements: a group, not a fieldset: nothing in it is a form field */}
      <div
        className={`run-card run-${view.status}${question ? ' run-question' : ''}`}
        role="group"
        aria-label={`${question ? 'Answer to' : 'Run of'} ${shortQuery(props.query)}`}
        data-testid="run-card"
        data-run-id={props.runId}
        data-status={view.status}
      >
        <header className="run-head">
          <span className={`status-pill status-${view.status}`} data-testid="run-status">
            {loading ? 'loading' : view.status}
          </span>
          {view.result && <span className="run-meta">{formatDuration(view.result.elapsedMs)}</span>}
          {running && view.rowsFetched !== null && (
            <span className="run-meta" data-testid="rows-fetched">
              {formatCount(view.rowsFetched)} rows fetched
            </span>
          )}
          {running && (
            <button
              type="button"
              className="btn btn-small btn-danger"
              onClick={() => cancel.mutate({ runId: props.runId })}
              disabled={cancel.isPending || cancel.isSuccess}
            >
              {cancel.isPending || cancel.isSuccess ? 'Cancelling…' : 'Cancel'}
            </button>
          )}
          {!running && !loading && (
            <button
              type="button"
              className="btn btn-small"
              data-testid="run-again"
              onClick={() => props.onRunAgain(props.query, kind)}
            >
              {question ? 'Ask again' : 'Run again'}
            </button>
          )}
        </header>

        {running && !loading && connection === 'reconnecting' && (
          <p className="notice notice-offline" data-testid="connection-lost">
            Connection lost. The run goes on on the server; this card resumes when the connection is
            back.
          </p>
        )}
        {running && !loading && <Progress view={view} brief={question} />}
        {running && cancel.error && (
          <p className="inline-error">Could not cancel: {cancel.error.message}</p>
        )}
        {problem && <p className="inline-error">{problem}</p>}
        {view.plan && view.plan.length > 0 && <PlanSteps steps={view.plan} />}

        {question && <QuestionBody runId={props.runId} view={view} onAsk={props.onAsk} />}
        {!question && view.status === 'completed' && view.result && (
          <ResultView runId={props.runId} result={view.result} />
        )}
        {!question && view.status === 'failed' && view.error && <ErrorBox error={view.error} />}
        {view.status === 'cancelled' && (
          <p className="notice notice-cancelled">
            {sentence(view.cancelReason ?? 'Cancelled')} No result was kept.
          </p>
        )}
        {view.status === 'interrupted' && (
          <div className="notice notice-interrupted" data-testid="run-error">
            <p>
              <code className="error-code">{view.error?.code ?? 'INTERRUPTED'}</code>{' '}
              {view.error?.message ?? 'The server stopped while this query ran.'}
            </p>
            <p className="hint">{view.error?.hint ?? 'Run it again to get a result.'}</p>
          </div>
        )}
      </div>
    </>
  );
});
