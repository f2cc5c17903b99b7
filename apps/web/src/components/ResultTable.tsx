// The rows of a result in a bounded, scrolling table; NULLs and blobs are marked so they cannot
// be mistaken for text, and numbers align right.
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

export function ResultTable({ result }: { result: RunResult }) {
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
      <p className="result-meta" data-testid="row-count">
        {result.truncated
          ? `showing ${formatCount(shown)} of ${formatCount(result.rowCount)} rows`
          : `${formatCount(result.rowCount)} ${result.rowCount === 1 ? 'row' : 'rows'}`}
      </p>
    </div>
  );
}
