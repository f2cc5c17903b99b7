// The page's keyboard shortcuts. Single keys act only when the person is not typing somewhere,
// so `?` and `/` stay ordinary characters in the editor, the search box and any input.
import { useEffect, useRef } from 'react';

export interface Shortcuts {
  onHelp: () => void;
  onSearch: () => void;
  onNew: () => void;
}

/** What the help dialog lists; one definition for the dialog and the handlers. */
export const SHORTCUTS: { keys: string[]; does: string }[] = [
  { keys: ['?'], does: 'Show these shortcuts' },
  { keys: ['/'], does: 'Search conversations' },
  { keys: ['Alt', 'N'], does: 'New conversation (focuses the editor)' },
  { keys: ['Enter'], does: 'Ask the question in the composer (↑ ↓ and Enter pick a suggestion)' },
  { keys: ['Ctrl', 'Enter'], does: 'Run the SQL in the editor (⌘ Enter on a Mac)' },
  { keys: ['↑', '↓'], does: 'Move between conversations in the list' },
  { keys: ['→'], does: 'From a conversation to its pin, rename and delete buttons' },
  { keys: ['Home', 'End'], does: 'First or last conversation in the list' },
  { keys: ['F2'], does: 'Rename the conversation in focus' },
  { keys: ['Delete'], does: 'Delete the conversation in focus (asks first)' },
  { keys: ['Page Up', 'Page Down'], does: 'Previous or next run in the thread' },
  { keys: ['Enter'], does: 'In a result table: show the whole value of the cell in focus' },
  { keys: ['Esc'], does: 'Close a dialog, the menu or a rename, back to where you were' },
];

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT';
}

export function useShortcuts(handlers: Shortcuts): void {
  const ref = useRef(handlers);
  ref.current = handlers;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented) return;
      if (e.altKey && !e.ctrlKey && !e.metaKey && e.code === 'KeyN') {
        e.preventDefault();
        ref.current.onNew();
        return;
      }
      if (e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
      if (document.querySelector('dialog[open]')) return;
      if (e.key === '?') {
        e.preventDefault();
        ref.current.onHelp();
      } else if (e.key === '/') {
        e.preventDefault();
        ref.current.onSearch();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
