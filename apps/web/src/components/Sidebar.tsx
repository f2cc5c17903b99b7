// The conversation list: start a new one, switch, rename in place (F2 or the pencil), delete.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type KeyboardEvent, useState } from 'react';
import { formatRelative } from '../format.ts';
import { conversationPath, navigate } from '../route.ts';
import { useTRPC } from '../trpc/react.tsx';
import type { ConversationSummary } from '../trpc/types.ts';
import { ConnectionBadge } from './ConnectionBadge.tsx';
import { UserMenu } from './UserMenu.tsx';

export function Sidebar(props: { currentId: string | null; onNew: () => void }) {
  const trpc = useTRPC();
  const list = useQuery(trpc.conversations.list.queryOptions());

  return (
    <aside className="sidebar">
      <div className="brand">
        <span className="brand-name">Querylane</span>
        <ConnectionBadge />
      </div>
      <UserMenu />
      <button type="button" className="btn btn-new" onClick={props.onNew}>
        + New conversation
      </button>
      <nav aria-label="Conversations" className="conversations">
        {list.isPending && <p className="muted pad">Loading…</p>}
        {list.error && <p className="inline-error pad">{list.error.message}</p>}
        {list.data?.length === 0 && <p className="muted pad">No conversations yet.</p>}
        <ul>
          {list.data?.map((c) => (
            <ConversationItem key={c.id} conversation={c} current={c.id === props.currentId} />
          ))}
        </ul>
      </nav>
    </aside>
  );
}

function ConversationItem(props: { conversation: ConversationSummary; current: boolean }) {
  const { conversation: c } = props;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const invalidate = async () => {
    await queryClient.invalidateQueries({ queryKey: trpc.conversations.list.queryKey() });
    await queryClient.invalidateQueries({
      queryKey: trpc.conversations.byId.queryKey({ conversationId: c.id }),
    });
  };
  const rename = useMutation(trpc.conversations.rename.mutationOptions({ onSuccess: invalidate }));
  const remove = useMutation(
    trpc.conversations.delete.mutationOptions({
      onSuccess: async () => {
        if (props.current) navigate('/', { replace: true });
        queryClient.removeQueries({
          queryKey: trpc.conversations.byId.queryKey({ conversationId: c.id }),
        });
        await queryClient.invalidateQueries({ queryKey: trpc.conversations.list.queryKey() });
      },
    }),
  );

  const commit = (value: string) => {
    setEditing(false);
    const title = value.trim();
    if (title && title !== c.title) rename.mutate({ conversationId: c.id, title });
  };
  const onInputKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') commit(e.currentTarget.value);
    if (e.key === 'Escape') setEditing(false);
  };
  const confirmDelete = () => {
    if (window.confirm(`Delete “${c.title}” and all its runs?`)) {
      remove.mutate({ conversationId: c.id });
    }
  };

  const title = rename.isPending ? rename.variables.title : c.title;

  return (
    <li
      className={`conversation${props.current ? ' current' : ''}`}
      data-testid="conversation-item"
    >
      {editing ? (
        <input
          className="rename-input"
          aria-label="Conversation title"
          defaultValue={c.title}
          maxLength={200}
          // biome-ignore lint/a11y/noAutofocus: the user just asked to edit this field
          autoFocus
          onFocus={(e) => e.currentTarget.select()}
          onKeyDown={onInputKey}
          onBlur={(e) => commit(e.currentTarget.value)}
        />
      ) : (
        <a
          href={conversationPath(c.id)}
          className="conversation-link"
          aria-current={props.current ? 'page' : undefined}
          onClick={(e) => {
            if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
            e.preventDefault();
            navigate(conversationPath(c.id));
          }}
          onKeyDown={(e) => {
            if (e.key === 'F2') {
              e.preventDefault();
              setEditing(true);
            }
          }}
        >
          <span className="conversation-title">{title}</span>
          <span className="conversation-time">{formatRelative(c.updatedAt)}</span>
        </a>
      )}
      {!editing && (
        <span className="conversation-actions">
          <button
            type="button"
            className="icon-btn"
            aria-label={`Rename ${c.title}`}
            title="Rename (F2)"
            onClick={() => setEditing(true)}
          >
            ✎
          </button>
          <button
            type="button"
            className="icon-btn icon-danger"
            aria-label={`Delete ${c.title}`}
            title="Delete"
            disabled={remove.isPending}
            onClick={confirmDelete}
          >
            ×
          </button>
        </span>
      )}
    </li>
  );
}
