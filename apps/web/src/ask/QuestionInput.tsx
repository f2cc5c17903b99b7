// The question field: plain words, Enter asks. While a word is typed, the dataset's measures,
// dimensions and values that match it are offered in a listbox (the ARIA combobox pattern:
// arrows move, Enter or Tab takes one, Escape closes; focus stays in the field throughout).
import { type KeyboardEvent, useEffect, useId, useRef, useState } from 'react';
import { type ComposerStore, useComposerText } from '../composer-store.ts';
import type { Suggestion } from '../trpc/types.ts';
import { replaceWord, wordAt } from './question-text.ts';
import { useSuggestions } from './use-suggestions.ts';

const KIND_LABEL: Record<Suggestion['kind'], string> = {
  measure: 'measure',
  dimension: 'by',
  value: 'value',
  entity: 'table',
  time: 'date',
};

export function QuestionInput(props: {
  store: ComposerStore;
  datasetId: string | null;
  /** Off while the text looks like SQL: the composer offers SQL mode instead. */
  suggest: boolean;
  onAsk: () => void;
  onEdited: () => void;
}) {
  const { store } = props;
  const value = useComposerText(store);
  const input = useRef<HTMLInputElement>(null);
  const listId = useId();
  const [caret, setCaret] = useState(0);
  const [active, setActive] = useState(-1);
  // Escape, or taking a suggestion, closes the list until the next keystroke.
  const [dismissed, setDismissed] = useState(false);
  const word = wordAt(value, caret);
  const suggestions = useSuggestions(props.datasetId, props.suggest ? word.word : '');
  const open = !dismissed && suggestions.length > 0;
  const current = open && active >= 0 && active < suggestions.length ? active : -1;

  useEffect(() => {
    const handle = {
      focus: () => {
        const el = input.current;
        if (!el) return;
        el.focus();
        // After React has written the new value, so the caret lands after it.
        queueMicrotask(() => el.setSelectionRange(el.value.length, el.value.length));
      },
    };
    store.attach(handle);
    return () => store.detach(handle);
  }, [store]);

  // A new word (or a new list) starts with nothing highlighted.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset when the word changes
  useEffect(() => setActive(-1), [word.word, suggestions.length]);

  const take = (s: Suggestion) => {
    const next = replaceWord(value, word, s.text);
    store.set(next.text);
    setDismissed(true);
    setActive(-1);
    setCaret(next.caret);
    queueMicrotask(() => input.current?.setSelectionRange(next.caret, next.caret));
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (suggestions.length === 0) return;
      e.preventDefault();
      setDismissed(false);
      const n = suggestions.length;
      setActive((i) => (e.key === 'ArrowDown' ? (i + 1) % n : i <= 0 ? n - 1 : i - 1));
    } else if ((e.key === 'Enter' || e.key === 'Tab') && current >= 0 && !e.ctrlKey) {
      e.preventDefault();
      take(suggestions[current] as Suggestion);
    } else if (e.key === 'Escape' && open) {
      e.preventDefault();
      setDismissed(true);
    } else if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      props.onAsk();
    }
  };

  const optionId = (i: number) => `${listId}-${i}`;
  return (
    <div className="question-field">
      <input
        ref={input}
        id="question-editor"
        data-testid="question-editor"
        className="editor question-input"
        type="text"
        role="combobox"
        aria-label="Question"
        aria-autocomplete="list"
        aria-expanded={open}
        aria-controls={listId}
        aria-activedescendant={current >= 0 ? optionId(current) : undefined}
        aria-keyshortcuts="Enter"
        maxLength={2000}
        value={value}
        placeholder="Ask about your data, e.g. revenue by channel in 2024"
        autoComplete="off"
        spellCheck
        onChange={(e) => {
          store.set(e.target.value);
          setCaret(e.target.selectionStart ?? e.target.value.length);
          setDismissed(false);
          props.onEdited();
        }}
        onSelect={(e) => setCaret(e.currentTarget.selectionStart ?? 0)}
        onKeyDown={onKeyDown}
        onBlur={() => setDismissed(true)}
      />
      <div
        id={listId}
        role="listbox"
        aria-label="Suggestions"
        className="suggestions"
        data-testid="suggestions"
        hidden={!open}
      >
        {open &&
          suggestions.map((s, i) => (
            // Focus stays in the field (aria-activedescendant points here); keys are handled there.
            // biome-ignore lint/a11y/useFocusableInteractive: the combobox pattern keeps focus in the field
            // biome-ignore lint/a11y/useKeyWithClickEvents: the field's arrows, Enter and Tab pick options
            <div
              key={`${s.kind}:${s.text}`}
              id={optionId(i)}
              role="option"
              aria-selected={i === current}
              className="suggestion"
              // Keeps focus (and the caret) in the field while the pointer picks.
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => take(s)}
            >
              <span className="suggestion-text">{s.text}</span>
              <span className="suggestion-detail">
                {KIND_LABEL[s.kind]} · {s.detail}
              </span>
            </div>
          ))}
      </div>
    </div>
  );
}
