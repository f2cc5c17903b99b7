// A result's rows on TanStack Table (sorting, column resizing) with only the visible rows in the
// DOM (TanStack Virtual). The table is an ARIA grid with one tab stop: arrows move between cells,
// Enter on a header sorts, Enter on a cell shows its whole value, Alt+←/→ resizes a column.
import {
  type ColumnDef,
  columnResizingFeature,
  columnSizingFeature,
  createSortedRowModel,
  rowSortingFeature,
  tableFeatures,
  useTable,
} from '@tanstack/react-table';
import { defaultRangeExtractor, type Range, useVirtualizer } from '@tanstack/react-virtual';
import { type KeyboardEvent, memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { formatCell } from '../format.ts';
import { compareCells, initialWidth, numericColumns } from '../result-columns.ts';
import type { RunResult } from '../trpc/types.ts';
import { CellDialog } from './CellDialog.tsx';
import { ResultActions } from './ResultActions.tsx';

const features = tableFeatures({
  rowSortingFeature,
  sortedRowModel: createSortedRowModel(),
  columnSizingFeature,
  columnResizingFeature,
});

type Row = unknown[];
const ROW_HEIGHT = 30;
const PAGE = 10;

/** The grid's one tab stop; row -1 is the header. */
interface Active {
  row: number;
  col: number;
}

export const ResultTable = memo(function ResultTable(props: { runId: string; result: RunResult }) {
  const { result } = props;
  const numeric = useMemo(() => numericColumns(result), [result]);
  const columns = useMemo<ColumnDef<typeof features, Row>[]>(
    () =>
      result.columns.map((column, i) => ({
        id: `c${i}`,
        accessorFn: (row: Row) => row[i],
        header: column.name,
        sortFn: (a, b, id) => compareCells(a.getValue(id), b.getValue(id)),
        sortDescFirst: numeric[i],
        size: initialWidth(
          column.name,
          result.rows.map((r) => r[i]),
          numeric[i] ?? false,
        ),
        minSize: 56,
        maxSize: 1200,
      })),
    [result, numeric],
  );
  const table = useTable({
    features,
    columns,
    data: result.rows,
    columnResizeMode: 'onChange',
  });
  const rows = table.getRowModel().rows;
  const headers = table.getHeaderGroups()[0]?.headers ?? [];

  const wrapRef = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState<Active>({ row: -1, col: 0 });
  const [shown, setShown] = useState<Active | null>(null);
  const focusAfterMove = useRef(false);
  const activeRowIndex = active.row;

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => wrapRef.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: (i) => rows[i]?.id ?? i,
    overscan: 12,
    // The row holding the grid's tab stop stays rendered, or the grid could not be tabbed into
    // (and focus would drop to the page when it scrolls away). A new function when that row
    // changes makes the virtualiser work the range out again.
    rangeExtractor: useCallback(
      (range: Range) => {
        const indexes = defaultRangeExtractor(range);
        const r = activeRowIndex;
        return r < 0 || r >= range.count || indexes.includes(r)
          ? indexes
          : [...indexes, r].sort((a, b) => a - b);
      },
      [activeRowIndex],
    ),
  });
  const items = virtualizer.getVirtualItems();

  useEffect(() => {
    if (!focusAfterMove.current) return;
    focusAfterMove.current = false;
    wrapRef.current
      ?.querySelector<HTMLElement>(`[data-cell="${active.row}:${active.col}"]`)
      ?.focus({ preventScroll: active.row < 0 });
  });

  const moveTo = (row: number, col: number) => {
    const r = Math.max(-1, Math.min(rows.length - 1, row));
    const c = Math.max(0, Math.min(headers.length - 1, col));
    focusAfterMove.current = true;
    setActive({ row: r, col: c });
    if (r >= 0) virtualizer.scrollToIndex(r, { align: 'auto' });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTableElement>) => {
    const { row, col } = active;
    const header = headers[col];
    let handled = true;
    if (e.altKey && row === -1 && header && (e.key === 'ArrowLeft' || e.key === 'ArrowRight')) {
      const size = header.column.getSize() + (e.key === 'ArrowRight' ? 24 : -24);
      table.setColumnSizing((old) => ({ ...old, [header.column.id]: Math.max(56, size) }));
    } else if (e.key === 'ArrowDown') moveTo(row + 1, col);
    else if (e.key === 'ArrowUp') moveTo(row - 1, col);
    else if (e.key === 'ArrowRight') moveTo(row, col + 1);
    else if (e.key === 'ArrowLeft') moveTo(row, col - 1);
    else if (e.key === 'Home') moveTo(e.ctrlKey ? -1 : row, 0);
    else if (e.key === 'End') moveTo(e.ctrlKey ? rows.length - 1 : row, headers.length - 1);
    else if (e.key === 'PageDown') moveTo(row + PAGE, col);
    else if (e.key === 'PageUp') moveTo(row - PAGE, col);
    else if ((e.key === 'Enter' || e.key === ' ') && row === -1 && header) {
      header.column.toggleSorting(undefined, e.shiftKey);
    } else if (e.key === 'Enter' && row >= 0) setShown(active);
    else handled = false;
    if (handled) {
      e.preventDefault();
      // Page keys belong to the grid here, not to the thread around it.
      e.stopPropagation();
    }
  };

  const padTop = items[0]?.start ?? 0;
  const padBottom = virtualizer.getTotalSize() - (items.at(-1)?.end ?? 0);
  const shownRow = shown ? rows[shown.row] : undefined;

  return (
    <div className="result">
      <div className="table-wrap" ref={wrapRef} data-testid="table-wrap">
        <table
          className="result-table"
          // biome-ignore lint/a11y/noNoninteractiveElementToInteractiveRole: the ARIA data grid pattern: one tab stop, arrow keys between cells
          role="grid"
          aria-label="Result rows"
          aria-rowcount={rows.length + 1}
          aria-colcount={headers.length}
          style={{ width: table.getTotalSize() }}
          onKeyDown={onKeyDown}
        >
          <colgroup>
            {headers.map((h) => (
              <col key={h.id} style={{ width: h.getSize() }} />
            ))}
          </colgroup>
          <thead>
            <tr aria-rowindex={1}>
              {headers.map((h, c) => {
                const sorted = h.column.getIsSorted();
                return (
                  <th
                    key={h.id}
                    scope="col"
                    aria-colindex={c + 1}
                    aria-sort={
                      sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none'
                    }
                    tabIndex={active.row === -1 && active.col === c ? 0 : -1}
                    data-cell={`-1:${c}`}
                    className={numeric[c] ? 'cell-number' : undefined}
                    title={`${result.columns[c]?.type || 'column'} — sort with Enter, resize with Alt+←/→`}
                    onFocus={() => {
                      if (active.row !== -1 || active.col !== c) setActive({ row: -1, col: c });
                    }}
                    onClick={(e) => h.column.toggleSorting(undefined, e.shiftKey)}
                  >
                    <span className="th-label">{String(h.column.columnDef.header)}</span>
                    <span className="sort-mark" aria-hidden="true">
                      {sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : ''}
                    </span>
                    <span
                      className={`resizer${h.column.getIsResizing() ? ' resizing' : ''}`}
                      aria-hidden="true"
                      onMouseDown={h.getResizeHandler()}
                      onTouchStart={h.getResizeHandler()}
                      onDoubleClick={() => h.column.resetSize()}
                      onClick={(e) => e.stopPropagation()}
                    />
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {padTop > 0 && (
              // biome-ignore lint/a11y/noAriaHiddenOnFocusable: a spacer row, not focusable; hidden so it is not counted as a row
              <tr className="spacer" aria-hidden="true" style={{ height: padTop }}>
                <td colSpan={headers.length} />
              </tr>
            )}
            {items.map((item) => {
              const row = rows[item.index]!;
              return (
                <tr key={row.id} aria-rowindex={item.index + 2} style={{ height: ROW_HEIGHT }}>
                  {row.getAllCells().map((cell, c) => {
                    const shownCell = formatCell(cell.getValue());
                    const isActive = active.row === item.index && active.col === c;
                    return (
                      // biome-ignore lint/a11y/useKeyWithClickEvents: the grid handles the keys (Enter shows the value)
                      <td
                        key={cell.id}
                        // biome-ignore lint/a11y/noNoninteractiveElementToInteractiveRole: cells of the ARIA grid
                        role="gridcell"
                        aria-colindex={c + 1}
                        tabIndex={isActive ? 0 : -1}
                        data-cell={`${item.index}:${c}`}
                        className={`cell-${shownCell.kind}`}
                        onFocus={() => {
                          if (!isActive) setActive({ row: item.index, col: c });
                        }}
                        onDoubleClick={() => setShown({ row: item.index, col: c })}
                      >
                        {shownCell.text}
                      </td>
                    );
                  })}
                </tr>
              );
            })}
            {padBottom > 0 && (
              // biome-ignore lint/a11y/noAriaHiddenOnFocusable: a spacer row, not focusable; hidden so it is not counted as a row
              <tr className="spacer" aria-hidden="true" style={{ height: padBottom }}>
                <td colSpan={headers.length} />
              </tr>
            )}
          </tbody>
        </table>
        {rows.length === 0 && <p className="empty-result">The query returned no rows.</p>}
      </div>
      <ResultActions
        runId={props.runId}
        result={result}
        numeric={numeric}
        sortedRows={() => rows.map((r) => r.original)}
      />
      {shown && shownRow && (
        <CellDialog
          column={result.columns[shown.col]!}
          value={shownRow.original[shown.col]}
          rowNumber={shown.row + 1}
          onClose={() => setShown(null)}
        />
      )}
    </div>
  );
});
