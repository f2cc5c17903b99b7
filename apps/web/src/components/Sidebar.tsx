// The conversation sidebar: new conversation, search, the list (pinned first, paged as it is
// scrolled), rename, delete. Below 768 px it is a drawer: a modal panel that Esc closes, giving
// focus back to the button that opened it.
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { type RefObject, useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import { navigate } from '../route.ts';
import { useTRPC } from '../trpc/react.tsx';
import type { ConversationSummary } from '../trpc/types.ts';
import { ConnectionBadge } from './ConnectionBadge.tsx';
import type { ItemActions } from './ConversationItem.tsx';
import { ConversationList } from './ConversationList.tsx';
import { UserMenu } from './UserMenu.tsx';

const PAGE = 50;

export function Sidebar(props: {
  currentId: string | null;
  onNew: () => void;
  searchRef: RefObject<HTMLInputElement | null>;
  /** Narrow screen: the sidebar is a drawer, shown only while `open`. */
  drawer: boolean;
  open: boolean;
  onClose: (restoreFocus: boolean) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [search, setSearch] = useState('');
  // Typing stays fast: the list follows the box a moment later, not on every key.
  const query = useDeferredValue(search.trim());
  const list = useInfiniteQuery(
    trpc.conversations.list.infiniteQueryOptions(
      { limit: PAGE, ...(query ? { search: query } : {}) },
      { getNextPageParam: (last) => last.nextCursor, placeholderData: (previous) => previous },
    ),
  );
  const panel = useRef<HTMLElement>(null);
  const { drawer, open, onClose } = props;

  const invalidate = async (id: string) => {
    await queryClient.invalidateQueries({ queryKey: trpc.conversations.list.pathKey() });
    await queryClient.invalidateQueries({
      queryKey: trpc.conversations.byId.queryKey({ conversationId: id }),
    });
  };
  const rename = useMutation(
    trpc.conversations.rename.mutationOptions({
      onSuccess: (row) => invalidate(row.id),
    }),
  );
  const remove = useMutation(trpc.conversations.delete.mutationOptions());
  const pin = useMutation(
    trpc.conversations.pin.mutationOptions({ onSuccess: (c) => invalidate(c.id) }),
  );
  const unpin = useMutation(
    trpc.conversations.unpin.mutationOptions({ onSuccess: (c) => invalidate(c.id) }),
  );
  const { mutate: renameMutate } = rename;
  const { mutate: removeMutate } = remove;
  const { mutate: pinMutate } = pin;
  const { mutate: unpinMutate } = unpin;
  const currentId = props.currentId;

  const actions = useMemo<ItemActions>(
    () => ({
      rename: (c, title) => renameMutate({ conversationId: c.id, title }),
      remove: (c: ConversationSummary, after) => {
        if (!window.confirm(`Delete “${c.title}” and all its runs?`)) return;
        removeMutate(
          { conversationId: c.id },
          {
            onSuccess: async () => {
              if (c.id === currentId) navigate('/', { replace: true });
              queryClient.removeQueries({
                queryKey: trpc.conversations.byId.queryKey({ conversationId: c.id }),
              });
              await queryClient.invalidateQueries({
                queryKey: trpc.conversations.list.pathKey(),
              });
              after();
            },
          },
        );
      },
      isPinned: (c) => c.pinned,
      togglePin: (c) => (c.pinned ? unpinMutate : pinMutate)({ conversationId: c.id }),
    }),
    [renameMutate, removeMutate, pinMutate, unpinMutate, currentId, queryClient, trpc],
  );

  // The next page loads as the end of the list scrolls into view.
  const sentinel = useRef<HTMLLIElement>(null);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = list;
  useEffect(() => {
    const el = sentinel.current;
    if (!el || !hasNextPage) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && !isFetchingNextPage) void fetchNextPage();
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  // Opening the drawer moves focus into it; Esc closes it.
  useEffect(() => {
    if (!drawer || !open) return;
    const el = panel.current;
    el?.querySelector<HTMLElement>('.conversation-list [tabindex="0"], .btn-new')?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !e.defaultPrevented) {
        e.preventDefault();
        onClose(true);
      }
    };
    el?.addEventListener('keydown', onKey);
    return () => el?.removeEventListener('keydown', onKey);
  }, [drawer, open, onClose]);

  const items = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  const modal = drawer && open;
  return (
    <aside
      ref={panel}
      id="sidebar"
      className={`sidebar${drawer ? ' sidebar-drawer' : ''}${modal ? ' open' : ''}`}
      aria-label="Conversations"
      inert={drawer && !open}
      {...(modal ? { role: 'dialog', 'aria-modal': true } : {})}
    >
      <div className="brand">
        <span className="brand-name">Querylane</span>
        {drawer ? (
          <button
            type="button"
            className="icon-btn"
            aria-label="Close conversations"
            onClick={() => onClose(true)}
          >
            ×
          </button>
        ) : (
          <ConnectionBadge />
        )}
      </div>
      <UserMenu />
      <button type="button" className="btn btn-new" aria-keyshortcuts="Alt+N" onClick={props.onNew}>
        + New conversation
      </button>
      <search className="sidebar-search">
        <label htmlFor="conversation-search" className="sr-only">
          Search conversations
        </label>
        <input
          id="conversation-search"
          ref={props.searchRef}
          type="search"
          placeholder="Search conversations  /"
          aria-keyshortcuts="/"
          maxLength={200}
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape' && search) {
              e.preventDefault();
              setSearch('');
            }
          }}
        />
      </search>
      <nav aria-label="Conversation list" className="conversations">
        <p id="conversation-list-help" className="sr-only">
          Arrow keys move between conversations; right arrow reaches their buttons; F2 renames;
          Delete deletes.
        </p>
        {list.isPending && <p className="muted pad">Loading…</p>}
        {list.error && <p className="inline-error pad">{list.error.message}</p>}
        {items.length === 0 && list.isSuccess && (
          <p className="muted pad" role="status">
            {query ? `No conversation matches “${query}”.` : 'No conversations yet.'}
          </p>
        )}
        <ConversationList
          items={items}
          currentId={props.currentId}
          actions={actions}
          footer={
            hasNextPage ? (
              <li className="list-more" ref={sentinel}>
                <button
                  type="button"
                  className="btn btn-small btn-ghost"
                  disabled={isFetchingNextPage}
                  onClick={() => void fetchNextPage()}
                >
                  {isFetchingNextPage ? 'Loading…' : 'More conversations'}
                </button>
              </li>
            ) : null
          }
        />
      </nav>
    </aside>
  );
}
