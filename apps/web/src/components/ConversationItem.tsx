// One conversation in the list: its link (with whose it is, when shared), then pin, rename and
// delete (rename and delete only for its owner). Only the element the list's roving tab stop
// points at is tabbable (`tabCol`); the rest are reached with the arrow keys.
import { type KeyboardEvent, memo, useRef } from 'react';
import { formatRelative } from '../format.ts';
import { conversationPath, navigate } from '../route.ts';
import type { ConversationSummary } from '../trpc/types.ts';

export interface ItemActions {
  rename: (c: ConversationSummary, title: string) => void;
  /** Asks first; `after` runs once it is deleted. */
  remove: (c: ConversationSummary, after: () => void) => void;
  togglePin?: (c: ConversationSummary) => void;
  isPinned?: (c: ConversationSummary) => boolean;
}

export const ConversationItem = memo(function ConversationItem(props: {
  conversation: ConversationSummary;
  current: boolean;
  /** Which of this item's elements holds the list's tab stop; -1 for none. */
  tabCol: number;
  editing: boolean;
  onFocusCol: (col: number) => void;
  onEdit: () => void;
  /** `refocus`: give focus back to the conversation (Enter, Esc), not after a blur. */
  onEndEdit: (refocus: boolean) => void;
  onRemove: () => void;
  actions: ItemActions;
}) {
  const { conversation: c, actions } = props;
  const pinned = actions.isPinned?.(c) ?? false;
  const tab = (col: number) => (props.tabCol === col ? 0 : -1);
  // Enter and Esc end the edit themselves; the blur that follows must not commit again.
  const ended = useRef(false);
  const commit = (value: string, refocus: boolean) => {
    if (ended.current) return;
    ended.current = true;
    const title = value.trim();
    if (title && title !== c.title) actions.rename(c, title);
    props.onEndEdit(refocus);
  };

  const onInputKey = (e: KeyboardEvent<HTMLInputElement>) => {
    // The list's arrow keys must not move focus out of the text being edited.
    e.stopPropagation();
    if (e.key === 'Enter') {
      e.preventDefault();
      commit(e.currentTarget.value, true);
    }
    if (e.key === 'Escape') {
      e.preventDefault();
      ended.current = true;
      props.onEndEdit(true);
    }
  };

  return (
    <li
      className={`conversation${props.current ? ' current' : ''}${pinned ? ' pinned' : ''}`}
      data-testid="conversation-item"
      data-conversation-id={c.id}
    >
      {props.editing ? (
        <input
          className="rename-input"
          aria-label="Conversation title"
          defaultValue={c.title}
          maxLength={200}
          // biome-ignore lint/a11y/noAutofocus: the user just asked to edit this field
          autoFocus
          onFocus={(e) => {
            ended.current = false;
            e.currentTarget.select();
          }}
          onKeyDown={onInputKey}
          // Leaving the box by pointer or Tab keeps what was typed, as Enter does.
          onBlur={(e) => commit(e.currentTarget.value, false)}
        />
      ) : (
        <a
          href={conversationPath(c.id)}
          className="conversation-link"
          data-col={0}
          tabIndex={tab(0)}
          aria-current={props.current ? 'page' : undefined}
          onFocus={() => props.onFocusCol(0)}
          onClick={(e) => {
            if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
            e.preventDefault();
            navigate(conversationPath(c.id));
          }}
        >
          <span className="conversation-title">
            {pinned && (
              <>
                <span className="pin-mark" aria-hidden="true">
                  📌{' '}
                </span>
                <span className="sr-only">Pinned: </span>
              </>
            )}
            {c.title}
          </span>
          {c.role !== 'owner' ? (
            <span
              className="shared-badge"
              data-testid="shared-from"
              title={`Shared by ${c.ownerId}`}
            >
              {c.ownerId} · {c.role}
            </span>
          ) : (
            c.members > 0 && (
              <span className="shared-badge" title={`Shared with ${c.members}`}>
                shared · {c.members}
              </span>
            )
          )}
          <span className="conversation-time">{formatRelative(c.updatedAt)}</span>
        </a>
      )}
      {!props.editing && (
        <span className="conversation-actions">
          {actions.togglePin && (
            <button
              type="button"
              className="icon-btn"
              data-col={1}
              tabIndex={tab(1)}
              aria-pressed={pinned}
              aria-label={`${pinned ? 'Unpin' : 'Pin'} ${c.title}`}
              title={pinned ? 'Unpin' : 'Pin to the top'}
              onFocus={() => props.onFocusCol(1)}
              onClick={() => actions.togglePin?.(c)}
            >
              {pinned ? '★' : '☆'}
            </button>
          )}
          {c.role === 'owner' && (
            <>
              <button
                type="button"
                className="icon-btn"
                data-col={actions.togglePin ? 2 : 1}
                tabIndex={tab(actions.togglePin ? 2 : 1)}
                aria-label={`Rename ${c.title}`}
                aria-keyshortcuts="F2"
                title="Rename (F2)"
                onFocus={() => props.onFocusCol(actions.togglePin ? 2 : 1)}
                onClick={props.onEdit}
              >
                ✎
              </button>
              <button
                type="button"
                className="icon-btn icon-danger"
                data-col={actions.togglePin ? 3 : 2}
                tabIndex={tab(actions.togglePin ? 3 : 2)}
                aria-label={`Delete ${c.title}`}
                aria-keyshortcuts="Delete"
                title="Delete"
                onFocus={() => props.onFocusCol(actions.togglePin ? 3 : 2)}
                onClick={props.onRemove}
              >
                ×
              </button>
            </>
          )}
        </span>
      )}
    </li>
  );
});
