// The editor's text, outside React state: only the composer subscribes to it, so a keystroke
// re-renders the composer and nothing else (a long thread is not touched while the person types).
import { createContext, useContext, useSyncExternalStore } from 'react';

export class ComposerStore {
  #text = '';
  #sent: { runId: string; text: string } | null = null;
  #editor: HTMLTextAreaElement | null = null;
  readonly #listeners = new Set<() => void>();

  get text(): string {
    return this.#text;
  }

  set(text: string): void {
    if (text === this.#text) return;
    this.#text = text;
    for (const listener of this.#listeners) listener();
  }

  /** Puts `text` in the editor and the caret at its end, as "Edit" and the schema panel do. */
  fill(text: string): void {
    this.set(text);
    this.focus();
  }

  focus(): void {
    const editor = this.#editor;
    if (!editor) return;
    editor.focus();
    // After React has written the new value, so the caret lands after it.
    queueMicrotask(() => editor.setSelectionRange(editor.value.length, editor.value.length));
  }

  attach(editor: HTMLTextAreaElement | null): void {
    this.#editor = editor;
  }

  /** The editor was cleared because `text` started `runId`. */
  sent(runId: string, text: string): void {
    this.#sent = { runId, text };
    this.set('');
  }

  /**
   * `runId` ended without a result: its text comes back to the editor, unless the person has
   * typed something else since.
   */
  failed(runId: string): void {
    if (this.#sent?.runId !== runId) return;
    const { text } = this.#sent;
    this.#sent = null;
    if (this.#text.trim() === '') this.set(text);
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };
}

export const ComposerContext = createContext<ComposerStore | null>(null);

export function useComposer(): ComposerStore {
  const store = useContext(ComposerContext);
  if (!store) throw new Error('useComposer must be used inside <ComposerContext>');
  return store;
}

/** The editor's text, for the one component that shows it. */
export function useComposerText(store: ComposerStore): string {
  return useSyncExternalStore(store.subscribe, () => store.text);
}
