// The rows of a result in a bounded, scrolling table; NULLs and blobs are marked so they cannot
// be mistaken for text, and numbers align right.
import { toCsv } from '../csv.ts';
import { formatCell, formatCount } from '../format.ts';
import type { RunResult } from '../trpc/types.ts';

/** A column reads as numeric when every non-NULL value in it is a number. */
function numericColumns(result: RunResult): boolean[] {
  return result.columns.map((_, c) => {
    let seen = false;
    for (const row of result.rows) {
      const v = row[c];
      if (v === null || v === undefined) continue;
      if (typeof v !== 'number' && typeof v !== 'bigint') return false;
      seen = true;
    }
    return seen;
  });
}

function downloadCsv(result: RunResult, fileName: string) {
  const url = URL.createObjectURL(new Blob([toCsv(result)], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  // The click has started the download; the object URL is no longer needed after this task.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export function ResultTable({
  result,
  fileName = 'result.csv',
}: {
  result: RunResult;
  fileName?: string;
}) {
  const shown = result.rows.length;
  const numeric = numericColumns(result);
  return (
    <div className="result">
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling box must be reachable by keyboard to scroll it */}
      <section className="table-wrap" aria-label="Result rows" tabIndex={0}>
        <table className="result-table">
          <thead>
            <tr>
              {result.columns.map((column, i) => (
                <th
                  // biome-ignore lint/suspicious/noArrayIndexKey: a result may repeat a column name (SELECT a, a)
                  key={i}
                  scope="col"
                  title={column.type || undefined}
                  className={numeric[i] ? 'cell-number' : undefined}
                >
                  {column.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {result.rows.map((row, r) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity of their own
              <tr key={r}>
                {row.map((value, c) => {
                  const cell = formatCell(value);
                  return (
                    // biome-ignore lint/suspicious/noArrayIndexKey: cells are positional
                    <td key={c} className={`cell-${cell.kind}`}>
                      {cell.text}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
        {shown === 0 && <p className="empty-result">The query returned no rows.</p>}
      </section>
      <div className="result-meta">
        <p data-testid="row-count">
          {result.truncated
            ? `showing ${formatCount(shown)} of ${formatCount(result.rowCount)} rows`
            : `${formatCount(result.rowCount)} ${result.rowCount === 1 ? 'row' : 'rows'}`}
        </p>
        {result.columns.length > 0 && (
          <button
            type="button"
            className="btn btn-small btn-ghost"
            onClick={() => downloadCsv(result, fileName)}
            title={result.truncated ? 'Downloads the rows shown here' : undefined}
          >
            Download CSV
          </button>
        )}
      </div>
    </div>
  );
}
