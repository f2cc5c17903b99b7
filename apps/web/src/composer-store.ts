// The composer's text and mode (a question in plain words, or SQL), outside React state: only
// the composer subscribes to them, so a keystroke re-renders the composer and nothing else (a
// long thread is not touched while the person types).
import type { RunKind } from '@querylane/contracts';
import { createContext, useContext, useSyncExternalStore } from 'react';

/** `question`: ask in plain words (the default); `sql`: run SQL as written. */
export type ComposerMode = RunKind;

/** Whatever editor the current mode shows: the question field or the SQL editor. */
export interface EditorHandle {
  /** Focuses the editor with the caret after its text. */
  focus(): void;
}

export class ComposerStore {
  #text = '';
  #mode: ComposerMode = 'question';
  #sent: { runId: string; text: string; mode: ComposerMode } | null = null;
  #editor: EditorHandle | null = null;
  /** Focus was asked for while no editor was there (the SQL editor is still loading). */
  #focusWanted = false;
  readonly #listeners = new Set<() => void>();

  get text(): string {
    return this.#text;
  }

  get mode(): ComposerMode {
    return this.#mode;
  }

  set(text: string): void {
    if (text === this.#text) return;
    this.#text = text;
    this.#changed();
  }

  setMode(mode: ComposerMode): void {
    if (mode === this.#mode) return;
    this.#mode = mode;
    // The editor of the old mode is on its way out: focus asked for from now on waits for the
    // new one (the SQL editor may still be loading).
    this.#editor = null;
    this.#changed();
  }

  /**
   * Puts `text` in the editor (of `mode`, when given) and the caret at its end, as "Edit",
   * "Edit and run", the examples and the schema panel do.
   */
  fill(text: string, mode?: ComposerMode): void {
    if (mode) this.setMode(mode);
    this.set(text);
    this.focus();
  }

  focus(): void {
    if (this.#editor) this.#editor.focus();
    else this.#focusWanted = true;
  }

  /** The editor of the current mode mounted (`handle`) or went away (null). */
  attach(handle: EditorHandle | null): void {
    this.#editor = handle;
    if (handle && this.#focusWanted) {
      this.#focusWanted = false;
      handle.focus();
    }
  }

  /** Forgets `handle` if it is still the attached editor (a mode switch may have replaced it). */
  detach(handle: EditorHandle): void {
    if (this.#editor === handle) this.#editor = null;
  }

  /** The editor was cleared because `text`, written in `mode`, started `runId`. */
  sent(runId: string, text: string, mode: ComposerMode = this.#mode): void {
    this.#sent = { runId, text, mode };
    this.set('');
  }

  /**
   * `runId` ended without a result: its text (and its mode) come back to the editor, unless the
   * person has typed something else since.
   */
  failed(runId: string): void {
    if (this.#sent?.runId !== runId) return;
    const { text, mode } = this.#sent;
    this.#sent = null;
    if (this.#text.trim() === '') {
      this.setMode(mode);
      this.set(text);
    }
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
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

export function useComposerMode(store: ComposerStore): ComposerMode {
  return useSyncExternalStore(store.subscribe, () => store.mode);
}
