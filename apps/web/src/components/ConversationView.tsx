// A conversation's thread: each query as a SQL block followed by its run card. Runs this tab just
// started show up before the server's message list catches up, under the same key.
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { formatRelative } from '../format.ts';
import type { PendingRun } from '../pending-runs.ts';
import { useTRPC } from '../trpc/react.tsx';
import { RunCard } from './RunCard.tsx';

type ThreadItem =
  | { kind: 'run'; key: string; sql: string; runId: string; live: boolean }
  | { kind: 'user'; key: string; sql: string }
  | { kind: 'assistant'; key: string; text: string };

export function ConversationView(props: {
  conversationId: string;
  pending: PendingRun[];
  onEditSql: (sql: string) => void;
}) {
  const trpc = useTRPC();
  const conversation = useQuery(
    trpc.conversations.byId.queryOptions({ conversationId: props.conversationId }),
  );
  const threadRef = useRef<HTMLDivElement>(null);
  const listRef = useRef<HTMLOListElement>(null);

  const items: ThreadItem[] = [];
  const seen = new Set<string>();
  const liveIds = new Set(props.pending.map((p) => p.runId));
  for (const m of conversation.data?.messages ?? []) {
    if (m.role === 'user') {
      if (m.runId) {
        seen.add(m.runId);
        items.push({
          kind: 'run',
          key: m.runId,
          sql: m.content,
          runId: m.runId,
          live: liveIds.has(m.runId),
        });
      } else {
        items.push({ kind: 'user', key: m.id, sql: m.content });
      }
    } else if (!m.runId) {
      // An assistant message of a run is already shown by that run's card.
      items.push({ kind: 'assistant', key: m.id, text: m.content });
    }
  }
  for (const p of props.pending) {
    if (p.conversationId === props.conversationId && !seen.has(p.runId)) {
      items.push({ kind: 'run', key: p.runId, sql: p.query, runId: p.runId, live: true });
    }
  }

  // Stick to the bottom while the reader is there, so a result that lands (and grows the card)
  // stays in view; once they scroll up to read, leave the scroll position alone.
  const pinned = useRef(true);
  const hasThread = !conversation.error;
  useEffect(() => {
    const el = threadRef.current;
    const list = listRef.current;
    if (!hasThread || !el || !list) return;
    const onScroll = () => {
      pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
    };
    const follow = new ResizeObserver(() => {
      if (pinned.current) el.scrollTop = el.scrollHeight;
    });
    el.addEventListener('scroll', onScroll, { passive: true });
    follow.observe(list);
    return () => {
      el.removeEventListener('scroll', onScroll);
      follow.disconnect();
    };
  }, [hasThread]);

  // A run the reader just started is where they want to look.
  const count = items.length;
  useEffect(() => {
    if (count === 0) return;
    pinned.current = true;
    const el = threadRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [count]);

  if (conversation.error) {
    const notFound = conversation.error.data?.code === 'NOT_FOUND';
    return (
      <div className="thread-empty">
        <h1>{notFound ? 'Conversation not found' : 'Could not load the conversation'}</h1>
        <p className="muted">
          {notFound
            ? 'It may have been deleted. Start a new one with a query below.'
            : conversation.error.message}
        </p>
      </div>
    );
  }

  return (
    <div className="thread" data-testid="thread" ref={threadRef}>
      <header className="thread-head">
        <h1 data-testid="conversation-title">{conversation.data?.title ?? ' '}</h1>
        {conversation.data && (
          <span className="muted small">started {formatRelative(conversation.data.createdAt)}</span>
        )}
      </header>
      {conversation.isPending && props.pending.length === 0 && <p className="muted">Loading…</p>}
      <ol className="messages" ref={listRef}>
        {items.map((item) => (
          <li key={item.key} className={`message message-${item.kind}`}>
            {item.kind === 'assistant' ? (
              <p className="assistant-text">{item.text}</p>
            ) : (
              <SqlBlock sql={item.sql} onEdit={() => props.onEditSql(item.sql)} />
            )}
            {item.kind === 'run' && (
              <RunCard runId={item.runId} conversationId={props.conversationId} live={item.live} />
            )}
          </li>
        ))}
      </ol>
    </div>
  );
}

function SqlBlock(props: { sql: string; onEdit: () => void }) {
  return (
    <div className="sql-block">
      <pre>
        <code>{props.sql}</code>
      </pre>
      <button type="button" className="btn btn-small btn-ghost" onClick={props.onEdit}>
        Edit
      </button>
    </div>
  );
}
