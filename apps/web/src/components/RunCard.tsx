// One run in the thread: live progress while it runs, then its result, error or cancellation.

import { isTerminalStatus } from '@querylane/contracts';
import { useMutation } from '@tanstack/react-query';
import { formatCount, formatDuration } from '../format.ts';
import type { RunView } from '../run-state.ts';
import { useTRPC } from '../trpc/react.tsx';
import type { ColumnProfile, PlanStep, RunError } from '../trpc/types.ts';
import { useRun } from '../use-run.ts';
import { ResultChartView } from './Chart.tsx';
import { ResultTable } from './ResultTable.tsx';

const statusLabel: Record<RunView['status'], string> = {
  queued: 'queued',
  running: 'running',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
  interrupted: 'interrupted',
};

export function RunCard(props: { runId: string; conversationId: string | null; live: boolean }) {
  const { view, loading, problem } = useRun(props.runId, props.conversationId, props.live);
  const trpc = useTRPC();
  const cancel = useMutation(trpc.runs.cancel.mutationOptions());
  const running = !isTerminalStatus(view.status);

  return (
    <section
      className={`run-card run-${view.status}`}
      aria-label="Run"
      data-testid="run-card"
      data-run-id={props.runId}
      data-status={view.status}
    >
      <header className="run-head">
        <span className={`status-pill status-${view.status}`} data-testid="run-status">
          {loading ? 'loading' : statusLabel[view.status]}
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
      </header>

      {running && !loading && <Progress view={view} />}
      {cancel.error && <p className="inline-error">Could not cancel: {cancel.error.message}</p>}
      {problem && <p className="inline-error">{problem}</p>}
      {view.plan && view.plan.length > 0 && <PlanSteps steps={view.plan} />}

      {view.status === 'completed' && view.result && (
        <>
          {view.result.summary && <p className="summary">{view.result.summary}</p>}
          {view.result.chart && <ResultChartView result={view.result} chart={view.result.chart} />}
          <ResultTable result={view.result} fileName={`querylane-${props.runId.slice(0, 8)}.csv`} />
          {view.result.profile.length > 0 && <Profile profile={view.result.profile} />}
        </>
      )}
      {view.status === 'failed' && view.error && <ErrorBox error={view.error} />}
      {view.status === 'cancelled' && (
        <p className="notice notice-cancelled" role="status">
          {sentence(view.cancelReason ?? 'Cancelled')} No result was kept.
        </p>
      )}
      {view.status === 'interrupted' && (
        <div className="notice notice-interrupted" role="status" data-testid="run-error">
          <p>
            <code className="error-code">{view.error?.code ?? 'INTERRUPTED'}</code>{' '}
            {view.error?.message ?? 'The server stopped while this query ran.'}
          </p>
          <p className="hint">{view.error?.hint ?? 'Run it again to get a result.'}</p>
        </div>
      )}
    </section>
  );
}

const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);

function Progress({ view }: { view: RunView }) {
  return (
    <div className="progress">
      <div
        className="progress-track"
        role="progressbar"
        aria-label="Run progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={view.progress}
        aria-valuetext={`${view.progress}% — ${view.message}`}
      >
        <div className="progress-fill" style={{ width: `${view.progress}%` }} />
      </div>
      <p className="progress-text" aria-live="polite">
        {view.stage && <span className="stage">{view.stage}</span>}
        {view.message}
      </p>
      {view.retry && (
        <p className="retry">
          Retrying {view.retry.stage} (attempt {view.retry.attempt} of {view.retry.maxAttempts}):{' '}
          {view.retry.reason}
        </p>
      )}
    </div>
  );
}

export function ErrorBox({ error }: { error: RunError }) {
  return (
    <div className="error-box" role="alert" data-testid="run-error">
      <p>
        <code className="error-code">{error.code}</code> {error.message}
      </p>
      {error.hint && <p className="hint">{error.hint}</p>}
      {error.retryable && <p className="hint">This may work if you run it again.</p>}
    </div>
  );
}

function PlanSteps({ steps }: { steps: PlanStep[] }) {
  // EXPLAIN QUERY PLAN gives a tree as (id, parent); depth drives the indent.
  const depth = new Map<number, number>();
  for (const step of steps) depth.set(step.id, (depth.get(step.parent) ?? -1) + 1);
  return (
    <details className="plan">
      <summary>
        Query plan ({steps.length} {steps.length === 1 ? 'step' : 'steps'})
      </summary>
      <ol>
        {steps.map((step) => (
          <li key={step.id} style={{ paddingLeft: `${(depth.get(step.id) ?? 0) * 1.25}rem` }}>
            <code>{step.detail}</code>
          </li>
        ))}
      </ol>
    </details>
  );
}

function Profile({ profile }: { profile: ColumnProfile[] }) {
  const show = (v: number | string | undefined) =>
    v === undefined ? '' : typeof v === 'number' ? formatCount(Number(v.toFixed(4))) : v;
  return (
    <details className="profile">
      <summary>Column profile</summary>
      <div className="table-wrap table-wrap-small">
        <table>
          <thead>
            <tr>
              <th scope="col">column</th>
              <th scope="col">type</th>
              <th scope="col">nulls</th>
              <th scope="col">distinct</th>
              <th scope="col">min</th>
              <th scope="col">max</th>
              <th scope="col">mean</th>
              <th scope="col">top values</th>
            </tr>
          </thead>
          <tbody>
            {profile.map((p) => (
              <tr key={p.name}>
                <td>{p.name}</td>
                <td>{p.type}</td>
                <td className="cell-number">{formatCount(p.nulls)}</td>
                <td className="cell-number">{formatCount(p.distinct)}</td>
                <td>{show(p.min)}</td>
                <td>{show(p.max)}</td>
                <td className="cell-number">{show(p.mean)}</td>
                <td>{p.top?.map((t) => `${t.value} (${t.count})`).join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
