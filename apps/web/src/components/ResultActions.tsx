// Under a result table: how many rows there are, and the ways out — CSV of every row, and the
// kept rows (in the table's order) copied as TSV for a spreadsheet or as a markdown table.
import { useState } from 'react';
import { useAnnounce } from '../announcer.tsx';
import { toMarkdown, toTsv } from '../csv.ts';
import { downloadRunCsv } from '../download.ts';
import { formatCount } from '../format.ts';
import type { RunResult } from '../trpc/types.ts';

export function ResultActions(props: {
  runId: string;
  result: RunResult;
  numeric: boolean[];
  sortedRows: () => unknown[][];
}) {
  const { result } = props;
  const announce = useAnnounce();
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const shown = result.rows.length;

  const copy = async (format: 'TSV' | 'markdown') => {
    const table = { columns: result.columns, rows: props.sortedRows() };
    const text = format === 'TSV' ? toTsv(table) : toMarkdown(table, props.numeric);
    try {
      await navigator.clipboard.writeText(text);
      setProblem(null);
      announce(`Copied ${formatCount(table.rows.length)} rows as ${format}`);
    } catch {
      setProblem('The browser did not allow copying to the clipboard.');
    }
  };

  const download = async () => {
    setBusy(true);
    setProblem(null);
    try {
      await downloadRunCsv(props.runId, `querylane-${props.runId.slice(0, 8)}.csv`);
    } catch (err) {
      setProblem(`The CSV could not be made: ${(err as Error).message}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="result-meta">
      <p data-testid="row-count">
        {result.truncated
          ? `showing ${formatCount(shown)} of ${formatCount(result.rowCount)} rows`
          : `${formatCount(result.rowCount)} ${result.rowCount === 1 ? 'row' : 'rows'}`}
      </p>
      {result.columns.length > 0 && (
        <span className="result-buttons">
          <button
            type="button"
            className="btn btn-small btn-ghost"
            disabled={busy}
            onClick={() => void download()}
          >
            {busy
              ? 'Preparing CSV…'
              : result.truncated
                ? `Download all ${formatCount(result.rowCount)} rows (CSV)`
                : 'Download CSV'}
          </button>
          <button
            type="button"
            className="btn btn-small btn-ghost"
            onClick={() => void copy('TSV')}
          >
            Copy TSV
          </button>
          <button
            type="button"
            className="btn btn-small btn-ghost"
            onClick={() => void copy('markdown')}
          >
            Copy markdown
          </button>
        </span>
      )}
      {problem && <p className="inline-error">{problem}</p>}
    </div>
  );
}
