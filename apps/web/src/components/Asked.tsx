// The asking side of a turn: a question as a chat bubble, SQL as code; either can be put back
// into the composer (in its own mode) to edit. In a shared room, who asked when it was not you.
import type { RunKind } from '@querylane/contracts';
import { memo } from 'react';
import { useComposer } from '../composer-store.ts';
import { shortQuery } from '../format.ts';

export const Asked = memo(function Asked(props: {
  kind: RunKind;
  text: string;
  by: string | undefined;
  /** The turn's label: its article is labelled by this element. */
  id: string;
}) {
  const composer = useComposer();
  const question = props.kind === 'question';
  return (
    <>
      {props.by && (
        <p className="asked-by muted small" data-testid="asked-by">
          {props.by} asked
        </p>
      )}
      <div
        className={question ? 'asked-question' : 'sql-block'}
        data-testid={question ? 'asked-question' : 'asked-sql'}
      >
        <span id={props.id} className="sr-only">
          {shortQuery(props.text)}
        </span>
        {question ? (
          <p className="bubble">{props.text}</p>
        ) : (
          <pre>
            <code>{props.text}</code>
          </pre>
        )}
        <button
          type="button"
          className="btn btn-small btn-ghost"
          aria-label={`Edit ${question ? 'question' : 'query'}: ${shortQuery(props.text)}`}
          onClick={() => composer.fill(props.text, props.kind)}
        >
          Edit
        </button>
      </div>
    </>
  );
});
