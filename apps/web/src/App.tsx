// The page: conversations on the left (a drawer on narrow screens), the selected thread with the
// editor in the middle, the dataset's schema on the right. The thread and the admin page load as
// their own chunks; the editor's text lives in a store so typing re-renders only the composer.
import type { RunKind } from '@querylane/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useCallback, useEffect, useRef, useState } from 'react';
import { Announcer } from './announcer.tsx';
import { Composer } from './components/Composer.tsx';
import { NoticeBanner } from './components/NoticeBanner.tsx';
import { SchemaPanel } from './components/SchemaPanel.tsx';
import { ShortcutHelp } from './components/ShortcutHelp.tsx';
import { Sidebar } from './components/Sidebar.tsx';
import { TopBar } from './components/TopBar.tsx';
import { ComposerContext, ComposerStore } from './composer-store.ts';
import HomePage from './pages/HomePage.tsx';
import type { PendingRun } from './pending-runs.ts';
import { CommentsPanel } from './rooms/CommentsPanel.tsx';
import { RoomBar } from './rooms/RoomBar.tsx';
import { type Room, useRoom } from './rooms/use-room.ts';
import { conversationPath, navigate, parseRoute, usePathname } from './route.ts';
import { useSession } from './session.tsx';
import { useTRPC } from './trpc/react.tsx';
import type { StartRunInput } from './trpc/types.ts';
import { NARROW, useMedia, WIDE } from './use-media.ts';
import { useShortcuts } from './use-shortcuts.ts';
import { type Started, useStart } from './use-start.ts';

const ConversationView = lazy(() => import('./components/ConversationView.tsx'));
const AdminPage = lazy(() => import('./components/AdminPage.tsx'));

export function App() {
  const [composer] = useState(() => new ComposerStore());
  return (
    <ComposerContext.Provider value={composer}>
      <Announcer>
        <Shell composer={composer} />
      </Announcer>
    </ComposerContext.Provider>
  );
}

function Shell({ composer }: { composer: ComposerStore }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const route = parseRoute(usePathname());
  const conversationId = route.page === 'conversation' ? route.conversationId : null;
  const narrow = useMedia(NARROW);
  const wide = useMedia(WIDE);

  const [pending, setPending] = useState<PendingRun[]>([]);
  const [chosenDataset, setChosenDataset] = useState<string | null>(null);
  const [schemaOpen, setSchemaOpen] = useState(wide);
  const [drawerOpen, setDrawerOpen] = useState(false);
  const [helpOpen, setHelpOpen] = useState(false);
  const menuButton = useRef<HTMLButtonElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);

  const datasets = useQuery(trpc.datasets.list.queryOptions());
  const datasetId = chosenDataset ?? datasets.data?.[0]?.id ?? null;

  // The open conversation's room: presence while it is open, typing, comments, members.
  const session = useSession();
  const room = useRoom(conversationId, session.user?.id ?? '');
  useTypingFromEditor(composer, room);
  const conversation = useQuery(
    trpc.conversations.byId.queryOptions(
      { conversationId: conversationId ?? '' },
      { enabled: conversationId !== null },
    ),
  );
  const roomRuns = (conversation.data?.messages ?? []).flatMap((m) =>
    m.role === 'user' && m.runId ? [{ runId: m.runId, query: m.content }] : [],
  );

  const onStarted = useCallback(
    (res: Started, input: StartRunInput) => {
      const kind = input.question === undefined ? 'sql' : 'question';
      const text = input.question ?? input.query ?? '';
      setPending((p) => [
        ...p,
        { runId: res.runId, conversationId: res.conversationId, query: text, kind },
      ]);
      // Only the text that was sent is cleared: a start that waited keeps what was typed since.
      if (composer.text.trim() === text.trim()) composer.sent(res.runId, text, kind);
      navigate(conversationPath(res.conversationId));
      void queryClient.invalidateQueries({ queryKey: trpc.conversations.pathKey() });
      void queryClient.invalidateQueries({
        queryKey: trpc.conversations.byId.queryKey({ conversationId: res.conversationId }),
      });
    },
    [composer, queryClient, trpc],
  );
  const start = useStart(onStarted);
  const { submit, clearError } = start;

  /** Asks a question or runs SQL, in the open conversation unless another is named. */
  const send = useCallback(
    (text: string, kind: RunKind, conversation: string | null = conversationId) =>
      submit({
        ...(kind === 'question' ? { question: text } : { query: text }),
        ...(datasetId ? { datasetId } : {}),
        ...(conversation ? { conversationId: conversation } : {}),
      }),
    [submit, datasetId, conversationId],
  );

  // A start error is about the page it was made on.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the route changes
  useEffect(() => clearError(), [conversationId, clearError]);

  const closeDrawer = useCallback((restoreFocus: boolean) => {
    setDrawerOpen(false);
    if (restoreFocus) menuButton.current?.focus();
  }, []);
  // Going somewhere from the drawer closes it.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the route changes
  useEffect(() => setDrawerOpen(false), [route.page, conversationId]);

  useShortcuts({
    onHelp: () => setHelpOpen(true),
    onSearch: () => {
      if (narrow) setDrawerOpen(true);
      requestAnimationFrame(() => searchRef.current?.focus());
    },
    onNew: () => {
      navigate('/');
      composer.focus();
    },
  });

  const drawer = narrow && drawerOpen;
  const sidebar = (
    <Sidebar
      currentId={conversationId}
      searchRef={searchRef}
      drawer={narrow}
      open={!narrow || drawerOpen}
      onClose={closeDrawer}
      onNew={() => {
        navigate('/');
        start.clearError();
        composer.focus();
      }}
    />
  );

  const page =
    route.page === 'admin' ? (
      <AdminPage />
    ) : conversationId ? (
      <ConversationView
        key={conversationId}
        conversationId={conversationId}
        pending={pending}
        onRunAgain={send}
        header={room && <RoomBar room={room} />}
        footer={room?.state && <CommentsPanel room={room} runs={roomRuns} />}
      />
    ) : (
      <HomePage />
    );

  return (
    <div
      className={`app${schemaOpen && route.page !== 'admin' ? ' with-schema' : ''}${drawer ? ' drawer-open' : ''}`}
    >
      <SkipLinks admin={route.page === 'admin'} composer={composer} />
      <NoticeBanner />
      {narrow && (
        <TopBar
          menuButton={menuButton}
          drawerOpen={drawerOpen}
          onMenu={() => setDrawerOpen(true)}
        />
      )}
      {sidebar}
      {drawer && (
        // biome-ignore lint/a11y/noStaticElementInteractions: the pointer's way out; Escape is the keyboard's
        // biome-ignore lint/a11y/useKeyWithClickEvents: Escape closes the drawer (handled in Sidebar)
        <div className="drawer-backdrop" onClick={() => closeDrawer(true)} />
      )}
      <main className="main" id="main" tabIndex={-1} inert={drawer}>
        {route.page !== 'admin' && (
          <div className="toolbar">
            <button
              type="button"
              className="btn btn-small btn-ghost"
              aria-pressed={schemaOpen}
              onClick={() => setSchemaOpen((o) => !o)}
            >
              {schemaOpen ? 'Hide schema' : 'Show schema'}
            </button>
            <button
              type="button"
              className="btn btn-small btn-ghost"
              aria-keyshortcuts="?"
              onClick={() => setHelpOpen(true)}
            >
              Shortcuts
            </button>
          </div>
        )}
        <Suspense fallback={<p className="muted pad-page">Loading…</p>}>{page}</Suspense>
        {route.page !== 'admin' && (
          <Composer
            datasets={datasets.data ?? []}
            datasetId={datasetId}
            onDatasetChange={setChosenDataset}
            onRun={send}
            sending={start.sending}
            waiting={start.waiting}
            onDiscard={start.discard}
            onRetryNow={start.retryNow}
            error={start.error}
            onClearError={start.clearError}
          />
        )}
      </main>
      {schemaOpen && route.page !== 'admin' && (
        <SchemaPanel
          datasetId={datasetId}
          onInsert={(sql) => composer.fill(sql, 'sql')}
          onClose={wide ? undefined : () => setSchemaOpen(false)}
        />
      )}
      <ShortcutHelp open={helpOpen} onClose={() => setHelpOpen(false)} />
    </div>
  );
}

/**
 * Keystrokes in the composer tell the room that this person is composing; an emptied editor
 * (sent, cleared) stops it. The editor's store is subscribed to, so nothing re-renders.
 */
function useTypingFromEditor(composer: ComposerStore, room: Room | null): void {
  const current = useRef(room);
  current.current = room;
  useEffect(() => {
    let last = composer.text;
    return composer.subscribe(() => {
      // A switch between Ask and SQL is not typing.
      if (composer.text === last) return;
      last = composer.text;
      if (composer.text.trim()) current.current?.typed();
      else current.current?.stoppedTyping();
    });
  }, [composer]);
}

function SkipLinks({ admin, composer }: { admin: boolean; composer: ComposerStore }) {
  return (
    <div className="skip-links">
      {!admin && (
        // A button: the target is whichever editor the composer shows (question or SQL).
        <button type="button" className="skip-link" onClick={() => composer.focus()}>
          Skip to the editor
        </button>
      )}
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
    </div>
  );
}
