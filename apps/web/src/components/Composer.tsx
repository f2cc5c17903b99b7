// The SQL editor: a plain textarea with a dataset picker; Ctrl/Cmd+Enter runs what is typed.
import type { FormEvent, KeyboardEvent, Ref } from 'react';
import type { Dataset } from '../trpc/types.ts';

export function Composer(props: {
  value: string;
  onChange: (value: string) => void;
  datasets: Dataset[];
  datasetId: string | null;
  onDatasetChange: (datasetId: string) => void;
  onRun: () => void;
  running: boolean;
  error: string | null;
  editorRef: Ref<HTMLTextAreaElement>;
}) {
  const canRun = props.value.trim().length > 0 && !props.running;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (canRun) props.onRun();
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      if (canRun) props.onRun();
    }
  };

  return (
    <form className="composer" onSubmit={submit}>
      <label htmlFor="sql-editor" className="sr-only">
        SQL query
      </label>
      <textarea
        id="sql-editor"
        ref={props.editorRef}
        data-testid="sql-editor"
        className="editor"
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        onKeyDown={onKeyDown}
        placeholder="SELECT … — Ctrl+Enter to run"
        spellCheck={false}
        autoCapitalize="off"
        autoComplete="off"
        rows={4}
      />
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
          <p className="inline-error composer-error" role="alert">
            {props.error}
          </p>
        )}
        <span className="shortcut" aria-hidden="true">
          <kbd>Ctrl</kbd> + <kbd>Enter</kbd>
        </span>
        <button type="submit" className="btn btn-primary" disabled={!canRun}>
          {props.running ? 'Starting…' : 'Run'}
        </button>
      </div>
    </form>
  );
}
