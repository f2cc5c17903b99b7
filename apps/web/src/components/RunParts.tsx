// The pieces of a run card: its progress (whose live region speaks on stage changes only), the
// error, the query plan and the column profile.

import type { RunView } from '@querylane/react';
import { formatCount } from '../format.ts';
import type { ColumnProfile, PlanStep, RunError } from '../trpc/types.ts';

/** `brief`: the bar alone, for a card that lists its stages itself. */
export function Progress({ view, brief = false }: { view: RunView; brief?: boolean }) {
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
      {!brief && (
        <p className="progress-text">
          {view.stage && <span className="stage">{view.stage}</span>}
          {view.message}
        </p>
      )}
      {/* What a screen reader hears: the stage when it changes, not every progress tick. */}
      <p className="sr-only" role="status" data-testid="stage-announcer">
        {view.status === 'queued' ? 'Queued' : view.stage ? `Stage: ${view.stage}` : 'Started'}
      </p>
      {!brief && view.retry && (
        <p className="retry">
          Retrying {view.retry.stage} (attempt {view.retry.attempt} of {view.retry.maxAttempts}):{' '}
          {view.retry.reason}
        </p>
      )}
    </div>
  );
}

// Not a live region: a card scrolled back into view must not announce an old failure again;
// the page's announcer says it once, when it happens.
export function ErrorBox({ error }: { error: RunError }) {
  return (
    <div className="error-box" data-testid="run-error">
      <p>
        <code className="error-code">{error.code}</code> {error.message}
      </p>
      {error.hint && <p className="hint">{error.hint}</p>}
      {error.retryable && <p className="hint">This may work if you run it again.</p>}
    </div>
  );
}

export function PlanSteps({ steps }: { steps: PlanStep[] }) {
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

export function Profile({ profile }: { profile: ColumnProfile[] }) {
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
