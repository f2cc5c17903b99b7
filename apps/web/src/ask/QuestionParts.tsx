// The parts of a question run's card: its stages as they go (with each retry and why), how the
// question was read, the SQL folded away with "Edit and run", and a refusal that says what was
// understood and offers questions to ask. The answer is in Answer.tsx (its own chunk).
import type { RunView } from '@querylane/react';
import { Fragment, type ReactNode, useId } from 'react';
import { useComposer } from '../composer-store.ts';
import type { RunError, RunResult, Stage } from '../trpc/types.ts';

const STAGE_LABEL: Record<Stage, string> = {
  understand: 'Understanding the question',
  plan: 'Planning',
  generate: 'Writing the query',
  validate: 'Validating',
  execute: 'Running the query',
  interpret: 'Writing the answer',
  review: 'Checking the answer',
  finalize: 'Saving',
};

/** `code` spans for the backticked names in a server message ("no column `x`"). */
export function withCode(text: string): ReactNode {
  const parts = text.split('`');
  if (parts.length < 3) return text;
  const out: ReactNode[] = [];
  let at = 0;
  parts.forEach((part, i) => {
    // Odd pieces sat between backticks; an unpaired last backtick is shown as it was.
    const code = i % 2 === 1 && i < parts.length - 1;
    out.push(
      code ? (
        <code key={at}>{part}</code>
      ) : (
        <Fragment key={at}>{i % 2 === 1 ? `\`${part}` : part}</Fragment>
      ),
    );
    at += part.length + 1;
  });
  return out;
}

type StepState = 'done' | 'current' | 'failed';

function stepState(view: RunView, last: boolean): StepState {
  if (!last || view.status === 'completed') return 'done';
  return view.status === 'running' || view.status === 'queued' ? 'current' : 'failed';
}

export function StageTimeline({ view }: { view: RunView }) {
  const steps = view.timeline;
  return (
    <ol className="stages" aria-label="Steps" data-testid="stages">
      {steps.map((step, i) => {
        const state = stepState(view, i === steps.length - 1);
        return (
          <li
            key={step.stage}
            className={`stage-step stage-${state}`}
            data-testid="stage-step"
            data-stage={step.stage}
            data-state={state}
          >
            <span className="stage-icon" aria-hidden="true">
              {state === 'done' ? '✓' : state === 'failed' ? '✕' : '●'}
            </span>
            <div className="stage-body">
              <p className="stage-line">
                <span className="stage-label">{STAGE_LABEL[step.stage]}</span>
                {step.message && <span className="stage-message"> — {withCode(step.message)}</span>}
              </p>
              {step.retries.map((r) => (
                <p key={r.attempt} className="stage-retry" data-testid="stage-retry">
                  {STAGE_LABEL[step.stage]} — attempt {r.attempt} of {r.maxAttempts}:{' '}
                  {withCode(r.reason)}
                </p>
              ))}
            </div>
          </li>
        );
      })}
    </ol>
  );
}

export function Reading({ result }: { result: RunResult }) {
  if (!result.reading) return null;
  return (
    <p className="reading" data-testid="reading">
      <span className="reading-label">How I read your question:</span> {result.reading}
      {result.generator === 'model' && <span className="muted"> (the model wrote the query)</span>}
    </p>
  );
}

/** The SQL that ran (or was last tried), folded away; "Edit and run" opens it in SQL mode. */
export function SqlFold(props: { sql: string; label: string }) {
  const composer = useComposer();
  return (
    <details className="sql-fold" data-testid="sql-fold">
      <summary>{props.label}</summary>
      <pre>
        <code>{props.sql}</code>
      </pre>
      <button
        type="button"
        className="btn btn-small"
        data-testid="edit-and-run"
        onClick={() => composer.fill(props.sql, 'sql')}
      >
        Edit and run
      </button>
    </details>
  );
}

export const isRefusal = (error: RunError) =>
  error.code === 'NOT_UNDERSTOOD' || error.code === 'AMBIGUOUS';

/** A question that could not be answered: what was understood, what was not, what would work. */
export function Refusal(props: { error: RunError; onAsk: (question: string) => void }) {
  const { error } = props;
  const details = error.details ?? {};
  const understood = details.understood ?? [];
  const unknown = details.unknownWords ?? [];
  const readings = details.readings ?? [];
  const examples = details.examples ?? [];
  const examplesId = useId();
  return (
    <div className="refusal" data-testid="refusal" data-code={error.code}>
      <p className="refusal-message">{withCode(error.message)}</p>
      {understood.length > 0 && (
        <div data-testid="understood">
          <p className="refusal-label">What I understood</p>
          <ul>
            {understood.map((u) => (
              <li key={u}>{u}</li>
            ))}
          </ul>
        </div>
      )}
      {unknown.length > 0 && (
        <p data-testid="unknown-words">
          <span className="refusal-label">Words I did not understand:</span>{' '}
          {unknown.map((w, i) => (
            <Fragment key={w}>
              {i > 0 && ', '}
              <mark className="unknown-word">{w}</mark>
            </Fragment>
          ))}
        </p>
      )}
      {readings.length > 0 && (
        <div data-testid="readings">
          <p className="refusal-label">It could mean</p>
          <ul>
            {readings.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        </div>
      )}
      {examples.length > 0 && (
        <div>
          <p className="refusal-label" id={examplesId}>
            Questions I can answer
          </p>
          <ul className="example-questions" aria-labelledby={examplesId}>
            {examples.map((q) => (
              <li key={q}>
                <button
                  type="button"
                  className="btn btn-small example-question"
                  data-testid="example-question"
                  onClick={() => props.onAsk(q)}
                >
                  {q}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
