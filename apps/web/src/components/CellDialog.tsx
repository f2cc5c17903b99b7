// The whole value of one result cell, which the table cuts to its column's width; Esc closes
// it and focus goes back to the cell.
import { useState } from 'react';
import { cellText } from '../csv.ts';
import { formatCell } from '../format.ts';
import type { RunResult } from '../trpc/types.ts';
import { Modal } from './Modal.tsx';

export function CellDialog(props: {
  column: RunResult['columns'][number];
  value: unknown;
  rowNumber: number;
  onClose: () => void;
}) {
  const cell = formatCell(props.value);
  const [copied, setCopied] = useState(false);
  const text = props.value === null || props.value === undefined ? 'NULL' : cellText(props.value);
  return (
    <Modal
      open
      onClose={props.onClose}
      title={`${props.column.name}, row ${props.rowNumber}`}
      testId="cell-dialog"
      wide
    >
      <p className="muted small">
        {props.column.type || 'no declared type'} · {cell.kind}
        {typeof props.value === 'string' && ` · ${props.value.length} characters`}
      </p>
      <pre className={`cell-full cell-${cell.kind}`} data-testid="cell-full">
        {cell.kind === 'blob' ? text : cell.text}
      </pre>
      <button
        type="button"
        className="btn btn-small"
        onClick={() =>
          void navigator.clipboard.writeText(text).then(
            () => setCopied(true),
            () => setCopied(false),
          )
        }
      >
        {copied ? 'Copied' : 'Copy value'}
      </button>
    </Modal>
  );
}
