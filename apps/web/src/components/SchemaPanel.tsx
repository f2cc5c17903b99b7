// The tables of the selected dataset; a table's name drops a starter query into the editor.
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { formatCount, quoteIdent } from '../format.ts';
import { useTRPC } from '../trpc/react.tsx';

export function SchemaPanel(props: {
  datasetId: string | null;
  onInsert: (sql: string) => void;
  /** Set when the panel overlays the page (narrow screens): the way to put it away. */
  onClose?: (() => void) | undefined;
}) {
  const trpc = useTRPC();
  const schema = useQuery(
    trpc.datasets.schema.queryOptions(
      { datasetId: props.datasetId ?? '' },
      { enabled: props.datasetId !== null, staleTime: 5 * 60_000 },
    ),
  );
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const toggle = (name: string) =>
    setOpen((prev) => {
      const next = new Set(prev);
      if (next.has(name)) next.delete(name);
      else next.add(name);
      return next;
    });

  return (
    <aside
      className={`schema${props.onClose ? ' schema-overlay' : ''}`}
      aria-label="Dataset schema"
    >
      <div className="panel-head">
        <h2 className="panel-title">Schema</h2>
        {props.onClose && (
          <button
            type="button"
            className="icon-btn"
            aria-label="Hide schema"
            onClick={props.onClose}
          >
            ×
          </button>
        )}
      </div>
      {schema.isPending && props.datasetId && <p className="muted">Loading tables…</p>}
      {schema.error && <p className="inline-error">{schema.error.message}</p>}
      {schema.data && (
        <ul className="schema-tables">
          {schema.data.tables.map((table) => {
            const expanded = open.has(table.name);
            return (
              <li key={table.name}>
                <div className="schema-table-row">
                  <button
                    type="button"
                    className="disclosure"
                    aria-expanded={expanded}
                    aria-label={`${expanded ? 'Hide' : 'Show'} columns of ${table.name}`}
                    onClick={() => toggle(table.name)}
                  >
                    {expanded ? '▾' : '▸'}
                  </button>
                  <button
                    type="button"
                    className="schema-table-name"
                    title={`Insert SELECT * FROM ${table.name} LIMIT 100`}
                    onClick={() =>
                      props.onInsert(`SELECT * FROM ${quoteIdent(table.name)} LIMIT 100`)
                    }
                  >
                    {table.name}
                  </button>
                  <span className="muted small">{formatCount(table.rowCount)}</span>
                </div>
                {expanded && (
                  <ul className="schema-columns">
                    {table.columns.map((column) => (
                      <li key={column.name}>
                        <span>{column.name}</span>
                        <span className="muted small">{column.type.toLowerCase()}</span>
                      </li>
                    ))}
                  </ul>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </aside>
  );
}
