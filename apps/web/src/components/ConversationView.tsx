// A conversation's thread, virtualised: only the turns near the viewport are in the DOM, each an
// <article> of a feed labelled by its query. It opens on the newest turn and follows new ones
// while the reader is at the bottom. Runs this tab just started show before the server's list.
import type { RunKind } from '@querylane/contracts';
import { useQuery } from '@tanstack/react-query';
import { defaultRangeExtractor, type Range, useVirtualizer } from '@tanstack/react-virtual';
import {
  type KeyboardEvent,
  memo,
  type ReactNode,
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { looksLikeSql } from '../ask/question-text.ts';
import { formatRelative } from '../format.ts';
import type { PendingRun } from '../pending-runs.ts';
import { useSession } from '../session.tsx';
import { useTRPC } from '../trpc/react.tsx';
import type { Conversation } from '../trpc/types.ts';
import { Asked } from './Asked.tsx';
import { RunCard } from './RunCard.tsx';

/**
 * `by`: who asked, in a shared room, when it was someone else. `runKind`: a question or SQL,
 * known for runs started in this tab (the card asks the run's record for the others).
 */
type ThreadItem =
  | {
      kind: 'run';
      key: string;
      sql: string;
      runId: string;
      live: boolean;
      runKind?: RunKind;
      by?: string;
    }
  | { kind: 'user'; key: string; sql: string; by?: string }
  | { kind: 'assistant'; key: string; text: string };

function threadItems(
  conversation: Conversation | undefined,
  conversationId: string,
  pending: PendingRun[],
  me: string | undefined,
): ThreadItem[] {
  const items: ThreadItem[] = [];
  const seen = new Set<string>();
  const started = new Map(pending.map((p) => [p.runId, p]));
  for (const m of conversation?.messages ?? []) {
    if (m.role === 'user') {
      const by = m.userId !== me ? { by: m.userId } : {};
      if (m.runId) {
        seen.add(m.runId);
        items.push({
          kind: 'run',
          key: m.runId,
          sql: m.content,
          runId: m.runId,
          live: started.has(m.runId),
          ...(started.has(m.runId) ? { runKind: started.get(m.runId)?.kind } : {}),
          ...by,
        });
      } else {
        items.push({ kind: 'user', key: m.id, sql: m.content, ...by });
      }
    } else if (!m.runId) {
      // An assistant message of a run is already shown by that run's card.
      items.push({ kind: 'assistant', key: m.id, text: m.content });
    }
  }
  for (const p of pending) {
    if (p.conversationId === conversationId && !seen.has(p.runId)) {
      items.push({
        kind: 'run',
        key: p.runId,
        sql: p.query,
        runId: p.runId,
        live: true,
        runKind: p.kind,
      });
    }
  }
  return items;
}

// A finished run with a table is about this tall; measuring corrects it once it renders.
const estimateSize = (item: ThreadItem | undefined) =>
  item?.kind === 'run' ? 420 : item?.kind === 'user' ? 90 : 60;

export default function ConversationView(props: {
  conversationId: string;
  pending: PendingRun[];
  onRunAgain: (text: string, kind: RunKind, conversationId: string) => void;
  /** Under the title: the room's presence and sharing. */
  header?: ReactNode;
  /** After the thread: the room's comments. */
  footer?: ReactNode;
}) {
  const trpc = useTRPC();
  const me = useSession().user?.id;
  const conversation = useQuery(
    trpc.conversations.byId.queryOptions({ conversationId: props.conversationId }),
  );
  const items = useMemo(
    () => threadItems(conversation.data, props.conversationId, props.pending, me),
    [conversation.data, props.conversationId, props.pending, me],
  );
  const threadRef = useRef<HTMLDivElement>(null);
  // The turn holding focus stays mounted when it scrolls away, so focus is never dropped.
  const focused = useRef<number | null>(null);

  /** The newest turn, shown from its start after its run ended here. */
  const [pinned, setPinned] = useState<string | null>(null);
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => threadRef.current,
    estimateSize: (i) => estimateSize(items[i]),
    getItemKey: (i) => items[i]?.key ?? i,
    overscan: 2,
    anchorTo: pinned === null ? 'end' : 'start',
    followOnAppend: true,
    scrollEndThreshold: 80,
    paddingEnd: 16,
    rangeExtractor: useCallback((range: Range) => {
      const indexes = defaultRangeExtractor(range);
      const f = focused.current;
      return f === null || indexes.includes(f) || f >= range.count
        ? indexes
        : [...indexes, f].sort((a, b) => a - b);
    }, []),
  });

  // Opening a conversation lands on its newest turn; a run started from this tab is where the
  // reader wants to look next, wherever they had scrolled.
  const loaded = items.length > 0;
  const startedHere = props.pending.filter((p) => p.conversationId === props.conversationId).length;
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when a run is started here
  useEffect(() => {
    setPinned(null);
    if (loaded) virtualizer.scrollToEnd();
  }, [loaded, startedHere, virtualizer]);

  const onRunAgain = props.onRunAgain;
  const conversationId = props.conversationId;
  const runAgain = useCallback(
    (text: string, kind: RunKind) => onRunAgain(text, kind, conversationId),
    [onRunAgain, conversationId],
  );
  const ask = useCallback(
    (question: string) => onRunAgain(question, 'question', conversationId),
    [onRunAgain, conversationId],
  );
  // While the newest run streams, the thread follows its end; once it has ended, the turn is
  // shown from its start (the question, then the answer) and stays put while its chart and
  // table come in, until the next run starts here.
  const latest = useRef(items);
  latest.current = items;
  const ended = useCallback((runId: string) => {
    const last = latest.current.at(-1);
    if (last?.kind === 'run' && last.runId === runId && last.live) setPinned(runId);
  }, []);
  useEffect(() => {
    if (pinned !== null) virtualizer.scrollToIndex(latest.current.length - 1, { align: 'start' });
  }, [pinned, virtualizer]);

  // Page Down / Page Up move between turns, as the ARIA feed pattern asks.
  const onFeedKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'PageDown' && e.key !== 'PageUp') return;
    const current = (e.target as HTMLElement).closest('article');
    const index = Number(current?.getAttribute('data-index') ?? -1);
    if (index < 0) return;
    const next = e.key === 'PageDown' ? index + 1 : index - 1;
    if (next < 0 || next >= items.length) return;
    e.preventDefault();
    focused.current = next;
    virtualizer.scrollToIndex(next, { align: 'start' });
    requestAnimationFrame(() =>
      threadRef.current?.querySelector<HTMLElement>(`article[data-index="${next}"]`)?.focus(),
    );
  };

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
    <>
      <header className="thread-head">
        <h1 data-testid="conversation-title">{conversation.data?.title ?? ' '}</h1>
        {conversation.data && (
          <span className="muted small">started {formatRelative(conversation.data.createdAt)}</span>
        )}
      </header>
      {props.header}
      <div className="thread" data-testid="thread" ref={threadRef}>
        {conversation.isPending && items.length === 0 && <p className="muted">Loading…</p>}
        <div
          role="feed"
          aria-label="Runs in this conversation"
          aria-busy={conversation.isFetching}
          className="messages"
          style={{ height: virtualizer.getTotalSize() }}
          onKeyDown={onFeedKey}
          onFocus={(e) => {
            const article = (e.target as HTMLElement).closest('article');
            if (article) focused.current = Number(article.getAttribute('data-index'));
          }}
        >
          {virtualizer.getVirtualItems().map((v) => {
            const item = items[v.index]!;
            return (
              <article
                key={v.key}
                data-index={v.index}
                ref={virtualizer.measureElement}
                className={`message message-${item.kind}`}
                style={{ transform: `translateY(${v.start}px)` }}
                tabIndex={-1}
                aria-posinset={v.index + 1}
                aria-setsize={items.length}
                aria-labelledby={`turn-${item.key}`}
              >
                <Turn
                  item={item}
                  onRunAgain={runAgain}
                  onAsk={ask}
                  onEnded={ended}
                  conversationId={props.conversationId}
                />
              </article>
            );
          })}
        </div>
        {props.footer}
      </div>
    </>
  );
}

const Turn = memo(function Turn(props: {
  item: ThreadItem;
  conversationId: string;
  onRunAgain: (text: string, kind: RunKind) => void;
  onAsk: (question: string) => void;
  onEnded: (runId: string) => void;
}) {
  const { item } = props;
  if (item.kind === 'assistant') {
    return (
      <p className="assistant-text" id={`turn-${item.key}`}>
        {item.text}
      </p>
    );
  }
  if (item.kind === 'user') {
    // A message with no run: shown as it was written.
    return (
      <Asked
        kind={looksLikeSql(item.sql) ? 'sql' : 'question'}
        text={item.sql}
        by={item.by}
        id={`turn-${item.key}`}
      />
    );
  }
  return (
    <RunCard
      runId={item.runId}
      conversationId={props.conversationId}
      live={item.live}
      query={item.sql}
      kind={item.runKind}
      by={item.by}
      labelId={`turn-${item.key}`}
      onRunAgain={props.onRunAgain}
      onAsk={props.onAsk}
      onEnded={props.onEnded}
    />
  );
});
