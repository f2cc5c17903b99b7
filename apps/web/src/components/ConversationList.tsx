// The conversation list as ONE tab stop: arrow keys move between conversations (roving tabindex),
// → and ← reach a conversation's buttons, F2 renames, Delete deletes; Esc in the rename box
// gives focus back to the conversation it came from.
import {
  type KeyboardEvent,
  memo,
  type ReactNode,
  useCallback,
  useEffect,
  useRef,
  useState,
} from 'react';
import type { ConversationSummary } from '../trpc/types.ts';
import { ConversationItem, type ItemActions } from './ConversationItem.tsx';

/** Where the list's one tab stop is: a conversation and a column (0 its link, then its buttons). */
interface Cursor {
  id: string;
  col: number;
}

export const ConversationList = memo(function ConversationList(props: {
  items: ConversationSummary[];
  currentId: string | null;
  actions: ItemActions;
  footer?: ReactNode;
}) {
  const { items, currentId, actions } = props;
  const listRef = useRef<HTMLUListElement>(null);
  const [cursor, setCursor] = useState<Cursor | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  // Set when focus must follow a change of the DOM (after a rename box closes, a delete).
  const refocus = useRef(false);

  // The tab stop is the conversation last focused, else the open one, else the first.
  const ids = items.map((c) => c.id);
  const activeId =
    cursor && ids.includes(cursor.id)
      ? cursor.id
      : currentId && ids.includes(currentId)
        ? currentId
        : (ids[0] ?? null);
  const active: Cursor | null = activeId
    ? { id: activeId, col: cursor?.id === activeId ? cursor.col : 0 }
    : null;

  const focusCursor = useCallback((next: Cursor) => {
    setCursor(next);
    refocus.current = true;
  }, []);

  useEffect(() => {
    if (!refocus.current || !active) return;
    refocus.current = false;
    const row = listRef.current?.querySelector(`[data-conversation-id="${CSS.escape(active.id)}"]`);
    row?.querySelectorAll<HTMLElement>('[data-col]')[active.col]?.focus();
  });

  // Rename and delete are the owner's: a conversation shared with this person has neither.
  const owns = (id: string) => items.find((c) => c.id === id)?.role === 'owner';
  const lastCol = (id: string) => (actions.togglePin ? 1 : 0) + (owns(id) ? 2 : 0);
  const remove = (c: ConversationSummary) => {
    const i = ids.indexOf(c.id);
    const next = ids[i + 1] ?? ids[i - 1];
    actions.remove(c, () => {
      if (next) focusCursor({ id: next, col: 0 });
    });
  };

  const move = (e: KeyboardEvent<HTMLUListElement>) => {
    if (!active || editing) return;
    const i = ids.indexOf(active.id);
    const to = (row: number) => focusCursor({ id: ids[row]!, col: 0 });
    switch (e.key) {
      case 'ArrowDown':
        if (i < ids.length - 1) to(i + 1);
        break;
      case 'ArrowUp':
        if (i > 0) to(i - 1);
        break;
      case 'Home':
        to(0);
        break;
      case 'End':
        to(ids.length - 1);
        break;
      case 'ArrowRight':
        focusCursor({ id: active.id, col: Math.min(lastCol(active.id), active.col + 1) });
        break;
      case 'ArrowLeft':
        focusCursor({ id: active.id, col: Math.max(0, active.col - 1) });
        break;
      case 'F2':
        if (owns(active.id)) setEditing(active.id);
        break;
      case 'Delete':
        if (owns(active.id)) remove(items[i]!);
        break;
      default:
        return;
    }
    e.preventDefault();
  };

  const endEdit = useCallback(
    (id: string, refocus: boolean) => {
      setEditing(null);
      if (refocus) focusCursor({ id, col: 0 });
      else setCursor({ id, col: 0 });
    },
    [focusCursor],
  );

  return (
    <ul
      ref={listRef}
      className="conversation-list"
      aria-describedby="conversation-list-help"
      onKeyDown={move}
    >
      {items.map((c) => (
        <ConversationItem
          key={c.id}
          conversation={c}
          current={c.id === currentId}
          tabCol={active?.id === c.id ? active.col : -1}
          editing={editing === c.id}
          onFocusCol={(col) => setCursor({ id: c.id, col })}
          onEdit={() => setEditing(c.id)}
          onEndEdit={(refocus) => endEdit(c.id, refocus)}
          onRemove={() => remove(c)}
          actions={actions}
        />
      ))}
      {props.footer}
    </ul>
  );
});
