// If the SQL editor's chunk cannot be loaded (the connection dropped, or a deploy replaced it),
// SQL mode falls back to a plain text area on the same store, so SQL can still be written and
// run (until the page is reloaded).
import { Component, type KeyboardEvent, type ReactNode, useEffect, useRef } from 'react';
import { type ComposerStore, useComposerText } from '../composer-store.ts';

interface Props {
  store: ComposerStore;
  onRun: () => void;
  onEdited: () => void;
  children: ReactNode;
}

export class SqlEditorBoundary extends Component<Props, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  override render(): ReactNode {
    if (!this.state.failed) return this.props.children;
    return <PlainSqlEditor {...this.props} />;
  }
}

function PlainSqlEditor(props: Props) {
  const { store } = props;
  const value = useComposerText(store);
  const area = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    const handle = {
      focus: () => {
        const el = area.current;
        if (!el) return;
        el.focus();
        queueMicrotask(() => el.setSelectionRange(el.value.length, el.value.length));
      },
    };
    store.attach(handle);
    return () => store.detach(handle);
  }, [store]);
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      props.onRun();
    }
  };
  return (
    <>
      <textarea
        ref={area}
        id="sql-editor"
        data-testid="sql-editor-fallback"
        className="editor"
        aria-label="SQL query"
        aria-describedby="sql-editor-fallback-note"
        aria-keyshortcuts="Control+Enter Meta+Enter"
        value={value}
        onChange={(e) => {
          store.set(e.target.value);
          props.onEdited();
        }}
        onKeyDown={onKeyDown}
        spellCheck={false}
        autoCapitalize="off"
        autoComplete="off"
        rows={3}
      />
      <p id="sql-editor-fallback-note" className="hint">
        The SQL editor could not be loaded; this plain one works the same, without highlighting or
        completion.
      </p>
    </>
  );
}
