// The SQL editor: CodeMirror 6 with the SQLite dialect, highlighting and completion of the
// dataset's tables and columns; Ctrl/Cmd+Enter runs. Loaded as its own chunk the first time SQL
// mode is chosen. The text stays in the ComposerStore, kept in step both ways.
import {
  autocompletion,
  closeBrackets,
  closeBracketsKeymap,
  completionKeymap,
} from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { SQLite, sql } from '@codemirror/lang-sql';
import { bracketMatching, syntaxHighlighting } from '@codemirror/language';
import { Compartment, EditorState, type Extension, Prec } from '@codemirror/state';
import { EditorView, keymap, placeholder } from '@codemirror/view';
import { classHighlighter } from '@lezer/highlight';
import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useRef } from 'react';
import type { ComposerStore } from '../composer-store.ts';
import { useTRPC } from '../trpc/react.tsx';
import type { DatasetSchema } from '../trpc/types.ts';
import { columnsInScope, schemaNamespace } from './sql-completion.ts';

// Colours come from the app's CSS variables, so the editor follows light and dark mode.
const theme = EditorView.theme({
  '&': { color: 'var(--text)', backgroundColor: 'var(--bg)' },
  '.cm-content': { caretColor: 'var(--text)', fontFamily: 'var(--mono)' },
  '.cm-cursor': { borderLeftColor: 'var(--text)' },
  '.cm-placeholder': { color: 'var(--muted)' },
  '&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection': {
    backgroundColor: 'var(--accent-soft)',
  },
  '.cm-tooltip': {
    backgroundColor: 'var(--panel)',
    color: 'var(--text)',
    border: '1px solid var(--border)',
    borderRadius: '6px',
  },
  // Never a scrolling box (whose content a keyboard could not reach: the list is walked from
  // the editor, with aria-activedescendant); CodeMirror shows a window of options instead.
  '.cm-tooltip.cm-tooltip-autocomplete > ul': {
    fontFamily: 'var(--mono)',
    maxHeight: 'none',
    overflowY: 'hidden',
  },
  '.cm-tooltip-autocomplete ul li[aria-selected]': {
    backgroundColor: 'var(--accent)',
    color: 'var(--on-accent)',
  },
  '.cm-completionDetail': { color: 'inherit', opacity: 1, fontStyle: 'normal' },
  '.cm-completionMatchedText': { textDecoration: 'none', fontWeight: 700 },
  '&.cm-focused .cm-matchingBracket': { backgroundColor: 'var(--accent-soft)', outline: 'none' },
});

export default function SqlEditor(props: {
  store: ComposerStore;
  datasetId: string | null;
  onRun: () => void;
  onEdited: () => void;
}) {
  const { store } = props;
  const trpc = useTRPC();
  // The same query (and cache entry) as the schema panel's.
  const schema = useQuery(
    trpc.datasets.schema.queryOptions(
      { datasetId: props.datasetId ?? '' },
      { enabled: props.datasetId !== null, staleTime: 5 * 60_000 },
    ),
  );
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const language = useRef(new Compartment());
  const latest = useRef({ onRun: props.onRun, onEdited: props.onEdited, schema: schema.data });
  latest.current = { onRun: props.onRun, onEdited: props.onEdited, schema: schema.data };
  const currentSchema = useCallback(() => latest.current.schema, []);

  useEffect(() => {
    const editor = new EditorView({
      parent: host.current as HTMLDivElement,
      state: EditorState.create({
        doc: store.text,
        extensions: [
          Prec.highest(
            keymap.of([
              {
                key: 'Mod-Enter',
                run: () => {
                  latest.current.onRun();
                  return true;
                },
              },
            ]),
          ),
          history(),
          closeBrackets(),
          bracketMatching(),
          autocompletion({ icons: false, maxRenderedOptions: 12 }),
          keymap.of([
            ...closeBracketsKeymap,
            ...defaultKeymap,
            ...historyKeymap,
            ...completionKeymap,
          ]),
          language.current.of(languageFor(latest.current.schema, currentSchema)),
          syntaxHighlighting(classHighlighter),
          EditorView.lineWrapping,
          placeholder('SELECT … — Ctrl+Enter to run'),
          theme,
          EditorView.contentAttributes.of({
            id: 'sql-editor',
            'data-testid': 'sql-editor',
            'aria-label': 'SQL query',
            'aria-keyshortcuts': 'Control+Enter Meta+Enter',
            spellcheck: 'false',
            autocapitalize: 'off',
            autocorrect: 'off',
          }),
          EditorView.updateListener.of((update) => {
            if (!update.docChanged) return;
            store.set(update.state.doc.toString());
            latest.current.onEdited();
          }),
        ],
      }),
    });
    view.current = editor;
    // The store changed from outside (Edit, Edit and run, a run sent, a failed run's text back).
    const unsubscribe = store.subscribe(() => {
      const text = store.text;
      if (text === editor.state.doc.toString()) return;
      editor.dispatch({
        changes: { from: 0, to: editor.state.doc.length, insert: text },
        selection: { anchor: text.length },
      });
    });
    const handle = {
      focus: () => {
        editor.focus();
        editor.dispatch({ selection: { anchor: editor.state.doc.length }, scrollIntoView: true });
      },
    };
    store.attach(handle);
    return () => {
      store.detach(handle);
      unsubscribe();
      editor.destroy();
      view.current = null;
    };
  }, [store, currentSchema]);

  // The dataset's schema arrived or another dataset was picked: complete from it.
  useEffect(() => {
    view.current?.dispatch({
      effects: language.current.reconfigure(languageFor(schema.data, currentSchema)),
    });
  }, [schema.data, currentSchema]);

  return <div ref={host} className="sql-editor" data-testid="sql-editor-host" />;
}

/** SQLite with the schema's tables and columns to complete, bare columns included. */
function languageFor(
  data: DatasetSchema | undefined,
  current: () => DatasetSchema | undefined,
): Extension {
  const support = sql({ dialect: SQLite, upperCaseKeywords: true, schema: schemaNamespace(data) });
  return [support, support.language.data.of({ autocomplete: columnsInScope(current) })];
}
