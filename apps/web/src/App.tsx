// The page: conversations on the left, the selected thread with the editor in the middle, the
// dataset's schema on the right. Owns the editor text so the schema and "Edit" can fill it.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { AdminPage } from './components/AdminPage.tsx';
import { Composer } from './components/Composer.tsx';
import { ConversationView } from './components/ConversationView.tsx';
import { NoticeBanner } from './components/NoticeBanner.tsx';
import { SchemaPanel } from './components/SchemaPanel.tsx';
import { Sidebar } from './components/Sidebar.tsx';
import type { PendingRun } from './pending-runs.ts';
import { conversationPath, navigate, parseRoute, usePathname } from './route.ts';
import { describeError } from './trpc/errors.ts';
import { useTRPC } from './trpc/react.tsx';

const EXAMPLES: { label: string; sql: string }[] = [
  {
    label: 'Products per category',
    sql: 'SELECT category, count(*) AS n FROM products GROUP BY category ORDER BY category',
  },
  {
    label: 'Orders per channel',
    sql: 'SELECT channel, count(*) AS orders FROM orders GROUP BY channel ORDER BY orders DESC',
  },
  {
    label: 'Revenue by category',
    sql: 'SELECT p.category, round(sum(oi.quantity * oi.unit_price), 2) AS revenue\nFROM order_items oi JOIN products p ON p.id = oi.product_id\nGROUP BY p.category ORDER BY revenue DESC',
  },
  {
    label: 'Orders per month',
    sql: 'SELECT substr(order_date, 1, 7) AS month, count(*) AS orders\nFROM orders GROUP BY month ORDER BY month',
  },
  {
    label: 'Engagement by platform',
    sql: 'SELECT platform, avg(likes) AS avg_likes, avg(shares) AS avg_shares FROM posts GROUP BY platform',
  },
  {
    // Joins ~220k order items to themselves per customer: a couple of seconds, enough to
    // watch every stage go by.
    label: 'Bought together (heavy, a few seconds)',
    sql: 'WITH cp AS (\n  SELECT DISTINCT o.customer_id, oi.product_id\n  FROM orders o JOIN order_items oi ON oi.order_id = o.id\n)\nSELECT pa.name AS product, pb.name AS also_bought, count(*) AS customers\nFROM cp a JOIN cp b ON a.customer_id = b.customer_id AND a.product_id < b.product_id\nJOIN products pa ON pa.id = a.product_id JOIN products pb ON pb.id = b.product_id\nGROUP BY a.product_id, b.product_id ORDER BY customers DESC LIMIT 25',
  },
];

export function App() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const route = parseRoute(usePathname());
  const conversationId = route.page === 'conversation' ? route.conversationId : null;

  const [draft, setDraft] = useState('');
  const [pending, setPending] = useState<PendingRun[]>([]);
  const [chosenDataset, setChosenDataset] = useState<string | null>(null);
  const [schemaOpen, setSchemaOpen] = useState(true);
  const editorRef = useRef<HTMLTextAreaElement>(null);

  const datasets = useQuery(trpc.datasets.list.queryOptions());
  const datasetId = chosenDataset ?? datasets.data?.[0]?.id ?? null;

  const start = useMutation(
    trpc.runs.start.mutationOptions({
      onSuccess: (res, input) => {
        setPending((p) => [
          ...p,
          { runId: res.runId, conversationId: res.conversationId, query: input.query },
        ]);
        setDraft('');
        navigate(conversationPath(res.conversationId));
        void queryClient.invalidateQueries({ queryKey: trpc.conversations.list.queryKey() });
        void queryClient.invalidateQueries({
          queryKey: trpc.conversations.byId.queryKey({ conversationId: res.conversationId }),
        });
      },
    }),
  );

  const run = () => {
    const query = draft.trim();
    if (!query) return;
    start.mutate({
      query,
      ...(datasetId ? { datasetId } : {}),
      ...(conversationId ? { conversationId } : {}),
    });
  };

  const fillEditor = (sql: string) => {
    setDraft(sql);
    editorRef.current?.focus();
  };

  const startError = start.error ? describeError(start.error) : null;

  if (route.page === 'admin') {
    return (
      <div className="app">
        <NoticeBanner />
        <Sidebar currentId={null} onNew={() => navigate('/')} />
        <main className="main">
          <AdminPage />
        </main>
      </div>
    );
  }

  return (
    <div className={`app${schemaOpen ? ' with-schema' : ''}`}>
      <NoticeBanner />
      <Sidebar
        currentId={conversationId}
        onNew={() => {
          navigate('/');
          start.reset();
          editorRef.current?.focus();
        }}
      />
      <main className="main">
        <div className="toolbar">
          <button
            type="button"
            className="btn btn-small btn-ghost"
            aria-pressed={schemaOpen}
            onClick={() => setSchemaOpen((o) => !o)}
          >
            {schemaOpen ? 'Hide schema' : 'Show schema'}
          </button>
        </div>
        {conversationId ? (
          <ConversationView
            key={conversationId}
            conversationId={conversationId}
            pending={pending}
            onEditSql={fillEditor}
          />
        ) : (
          <div className="thread-empty">
            <h1>Ask your data a question</h1>
            <p className="muted">
              Write read-only SQL below and run it with <kbd>Ctrl</kbd> + <kbd>Enter</kbd>. Each run
              streams its progress live and is kept in a conversation you can come back to.
            </p>
            <ul className="examples">
              {EXAMPLES.map((ex) => (
                <li key={ex.label}>
                  <button type="button" className="example" onClick={() => fillEditor(ex.sql)}>
                    <strong>{ex.label}</strong>
                    <code>{ex.sql}</code>
                  </button>
                </li>
              ))}
            </ul>
          </div>
        )}
        <Composer
          value={draft}
          onChange={setDraft}
          datasets={datasets.data ?? []}
          datasetId={datasetId}
          onDatasetChange={setChosenDataset}
          onRun={run}
          running={start.isPending}
          error={startError}
          editorRef={editorRef}
        />
      </main>
      {schemaOpen && <SchemaPanel datasetId={datasetId} onInsert={fillEditor} />}
    </div>
  );
}
