// The test app: what a React app outside the repository writes with @querylane/react. The browser
// test installs the packed packages next to it, type-checks it with tsc, bundles it and opens it
// in Chromium; the DOM reports what the hooks returned.
import { createQuerylaneClient } from '@querylane/client';
import {
  QuerylaneProvider,
  type RunState,
  useRun,
  useRunsList,
  useStartRun,
} from '@querylane/react';
import { QueryClient } from '@tanstack/react-query';
import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';

const params = new URLSearchParams(location.search);
// The browser's own WebSocket; the server is this page's origin.
const client = createQuerylaneClient({ url: location.origin });
const queryClient = new QueryClient();

function Run({ runId, justStarted }: { runId: string; justStarted: boolean }) {
  const run: RunState = useRun(runId, { justStarted, replay: true });
  // @ts-expect-error the rows are in run.result.rows, not on the state
  void run.rows;
  const stage: RunState['stage'] = run.stage;
  // @ts-expect-error a stage is one of the pipeline's names, never any string
  const notAStage: typeof stage = 'cooking';
  void notAStage;
  return (
    <section
      id="run"
      data-run-id={run.runId}
      data-status={run.status}
      data-stage={stage ?? ''}
      data-progress={run.progress}
      data-seqs={run.events.map((e) => e.seq).join(',')}
      data-live={String(run.live)}
      data-error={run.error?.code ?? ''}
      data-problem={run.streamError?.code ?? ''}
    >
      <pre id="rows">{JSON.stringify(run.result?.rows ?? null)}</pre>
    </section>
  );
}

function Runs() {
  const list = useRunsList({ limit: 5 });
  return (
    <ul id="runs">
      {list.data?.items.map((r) => (
        <li key={r.id} data-id={r.id}>
          {r.status}
        </li>
      ))}
    </ul>
  );
}

function App() {
  const start = useStartRun();
  const [runId, setRunId] = useState<string | null>(params.get('run'));
  const [justStarted, setJustStarted] = useState(false);
  return (
    <main>
      <button
        id="start"
        type="button"
        disabled={start.isPending}
        onClick={() =>
          start.mutate(
            { query: params.get('q') ?? 'SELECT 1' },
            {
              onSuccess: (started) => {
                setJustStarted(true);
                setRunId(started.runId);
              },
            },
          )
        }
      >
        Start
      </button>
      {start.error && <p id="start-error">{start.error.data?.code}</p>}
      {runId && <Run runId={runId} justStarted={justStarted} />}
      <Runs />
    </main>
  );
}

const root = document.getElementById('root');
if (!root) throw new Error('no #root');
createRoot(root).render(
  <StrictMode>
    <QuerylaneProvider client={client} queryClient={queryClient}>
      <App />
    </QuerylaneProvider>
  </StrictMode>,
);
