// The SQL editor: a plain textarea with a dataset picker; Ctrl/Cmd+Enter runs what is typed.
// Its text lives in the ComposerStore, so typing re-renders this form and nothing else.
import { type FormEvent, type KeyboardEvent, memo } from 'react';
import { useComposer, useComposerText } from '../composer-store.ts';
import type { Dataset } from '../trpc/types.ts';
import type { Waiting } from '../use-start.ts';

export const Composer = memo(function Composer(props: {
  datasets: Dataset[];
  datasetId: string | null;
  onDatasetChange: (datasetId: string) => void;
  onRun: (query: string) => void;
  sending: boolean;
  waiting: Waiting | null;
  onDiscard: () => void;
  onRetryNow: () => void;
  error: string | null;
  onClearError: () => void;
}) {
  const store = useComposer();
  const value = useComposerText(store);
  const busy = props.sending || props.waiting !== null;
  const canRun = value.trim().length > 0 && !busy;
  const run = () => {
    if (canRun) props.onRun(value.trim());
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    run();
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      run();
    }
  };

  return (
    <form className="composer" onSubmit={submit} aria-label="Query editor">
      <label htmlFor="sql-editor" className="sr-only">
        SQL query
      </label>
      <textarea
        id="sql-editor"
        ref={(el) => store.attach(el)}
        data-testid="sql-editor"
        className="editor"
        value={value}
        onChange={(e) => {
          store.set(e.target.value);
          if (props.error) props.onClearError();
        }}
        onKeyDown={onKeyDown}
        placeholder="SELECT … — Ctrl+Enter to run"
        spellCheck={false}
        autoCapitalize="off"
        autoComplete="off"
        aria-keyshortcuts="Control+Enter Meta+Enter"
        rows={3}
      />
      {props.waiting && (
        <div className="composer-waiting" role="status" data-testid="start-waiting">
          <p>
            {props.waiting.reason === 'offline'
              ? 'Not sent yet: the connection is down. Your query will be sent when it is back.'
              : 'Not sent: the server could not be reached. Your query will be sent when the connection is back.'}
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
          <kbd>Ctrl</kbd> + <kbd>Enter</kbd>
        </span>
        <button type="submit" className="btn btn-primary" disabled={!canRun}>
          {props.sending ? 'Starting…' : props.waiting ? 'Waiting…' : 'Run'}
        </button>
      </div>
    </form>
  );
});
