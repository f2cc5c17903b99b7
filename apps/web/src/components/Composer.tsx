// The composer: ask in plain words (the default) or write SQL, with a visible switch between
// the two; text that is plainly SQL offers the switch. The SQL editor is CodeMirror, loaded as
// its own chunk the first time SQL mode is used. The text lives in the ComposerStore, so typing
// re-renders this form and nothing else.
import { useQuery } from '@tanstack/react-query';
import { type FormEvent, lazy, memo, Suspense } from 'react';
import { QuestionInput } from '../ask/QuestionInput.tsx';
import { looksLikeSql } from '../ask/question-text.ts';
import { SqlEditorBoundary } from '../ask/SqlEditorBoundary.tsx';
import {
  type ComposerMode,
  useComposer,
  useComposerMode,
  useComposerText,
} from '../composer-store.ts';
import { useTRPC } from '../trpc/react.tsx';
import type { Dataset } from '../trpc/types.ts';
import type { Waiting } from '../use-start.ts';

const loadSqlEditor = () => import('../ask/SqlEditor.tsx');
const SqlEditor = lazy(loadSqlEditor);

export const Composer = memo(function Composer(props: {
  datasets: Dataset[];
  datasetId: string | null;
  onDatasetChange: (datasetId: string) => void;
  onRun: (text: string, mode: ComposerMode) => void;
  sending: boolean;
  waiting: Waiting | null;
  onDiscard: () => void;
  onRetryNow: () => void;
  error: string | null;
  onClearError: () => void;
}) {
  const store = useComposer();
  const value = useComposerText(store);
  const mode = useComposerMode(store);
  const trpc = useTRPC();
  // Shared with the schema panel and the SQL editor: which words are tables of this dataset.
  const schema = useQuery(
    trpc.datasets.schema.queryOptions(
      { datasetId: props.datasetId ?? '' },
      { enabled: props.datasetId !== null, staleTime: 5 * 60_000 },
    ),
  );
  const busy = props.sending || props.waiting !== null;
  const canRun = value.trim().length > 0 && !busy;
  const run = () => {
    if (canRun) props.onRun(value.trim(), mode);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    run();
  };
  const edited = () => {
    if (props.error) props.onClearError();
  };
  const tables = schema.data?.tables.map((t) => t.name);
  const sqlInAskMode = mode === 'question' && looksLikeSql(value, tables);
  const switchTo = (next: ComposerMode) => {
    store.setMode(next);
    store.focus();
  };

  return (
    <form className="composer" onSubmit={submit} aria-label="Ask or write SQL">
      <p className="mode-hint" role="status" data-testid="mode-hint">
        {sqlInAskMode && (
          <>
            This looks like SQL.{' '}
            <button
              type="button"
              className="link-button"
              onClick={() => switchTo('sql')}
              data-testid="switch-to-sql"
            >
              Run it in SQL mode
            </button>
          </>
        )}
      </p>
      {/* The switch sits beside the editor, so the suggestions (opening upwards) never cover it. */}
      <div className="composer-row">
        <fieldset className="mode-switch">
          <legend className="sr-only">Write</legend>
          {(['question', 'sql'] as const).map((m) => (
            <label key={m} className="mode-option" data-testid={`mode-${m}`}>
              <input
                type="radio"
                name="composer-mode"
                value={m}
                checked={mode === m}
                onChange={() => store.setMode(m)}
                // A click goes on to the editor; arrow keys (whose clicks have no detail) leave
                // focus on the switch, as a radio group's arrows should.
                onClick={(e) => {
                  if (e.detail > 0) store.focus();
                }}
                // The editor's chunk starts loading as soon as SQL mode is in sight.
                onFocus={m === 'sql' ? () => void loadSqlEditor() : undefined}
                onPointerEnter={m === 'sql' ? () => void loadSqlEditor() : undefined}
              />
              <span>{m === 'question' ? 'Ask' : 'SQL'}</span>
            </label>
          ))}
        </fieldset>
        {mode === 'question' ? (
          <QuestionInput
            store={store}
            datasetId={props.datasetId}
            suggest={!sqlInAskMode}
            onAsk={run}
            onEdited={edited}
          />
        ) : (
          <SqlEditorBoundary store={store} onRun={run} onEdited={edited}>
            <Suspense
              fallback={
                <div className="editor sql-editor-loading" aria-busy="true">
                  Loading the SQL editor…
                </div>
              }
            >
              <SqlEditor store={store} datasetId={props.datasetId} onRun={run} onEdited={edited} />
            </Suspense>
          </SqlEditorBoundary>
        )}
      </div>
      {props.waiting && (
        <div className="composer-waiting" role="status" data-testid="start-waiting">
          <p>
            {props.waiting.reason === 'offline'
              ? `Not sent yet: the connection is down. Your ${props.waiting.input.question === undefined ? 'query' : 'question'} will be sent when it is back.`
              : `Not sent: the server could not be reached. Your ${props.waiting.input.question === undefined ? 'query' : 'question'} will be sent when the connection is back.`}
          </p>
          <button type="button" className="btn btn-small" onClick={props.onRetryNow}>
            Try now
          </button>
          <button type="button" className="btn btn-small btn-ghost" onClick={props.onDiscard}>
            Don’t send
          </button>
        </div>
      )}
      <div className="composer-bar">
        <label className="dataset-picker">
          <span>Dataset</span>
          <select
            value={props.datasetId ?? ''}
            onChange={(e) => props.onDatasetChange(e.target.value)}
            disabled={props.datasets.length === 0}
          >
            {props.datasets.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
        </label>
        {props.error && (
          <p className="inline-error composer-error" role="alert" data-testid="start-error">
            {props.error}
          </p>
        )}
        <span className="shortcut" aria-hidden="true">
          {mode === 'question' ? (
            <kbd>Enter</kbd>
          ) : (
            <>
              <kbd>Ctrl</kbd> + <kbd>Enter</kbd>
            </>
          )}
        </span>
        <button type="submit" className="btn btn-primary" disabled={!canRun}>
          {props.sending
            ? 'Starting…'
            : props.waiting
              ? 'Waiting…'
              : mode === 'question'
                ? 'Ask'
                : 'Run'}
        </button>
      </div>
    </form>
  );
});
