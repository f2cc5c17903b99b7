// `useRun(runId)`: one run kept live — its status, stage, progress, events, result and error —
// from the `runs.events` subscription through tRPC's subscription options, and its stored record.
// The client resumes the stream after its last event when a socket drops; the fold drops anything
// seen twice. A run that had already ended is read from its record unless asked to replay.
import { isTerminalStatus, type Run } from '@querylane/client';
import { skipToken, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useEffect, useRef, useState } from 'react';
import { useQuerylane, useTRPC } from './context.tsx';
import { applyEvent, initialRunView, type RunView, withRecord } from './run-state.ts';

export interface UseRunOptions {
  /** The run was just started here: follow it from its first event, without waiting for its record. */
  justStarted?: boolean | undefined;
  /**
   * Replay the events of a run that had already ended, too. Otherwise such a run's state comes
   * from its stored record and `events` stays empty: a long history costs one query per run.
   */
  replay?: boolean | undefined;
  /** Called once when a run this hook followed ends; not for one that had ended before. */
  onEnd?: ((run: RunView) => void) | undefined;
}

export interface RunState extends RunView {
  /** Nothing known yet: no event and no record has arrived (never for `justStarted`). */
  loading: boolean;
  /**
   * The event stream is open: the run is going, or its history is still arriving. `status` may
   * already say how an ended run ended (from its record) while `events` is still filling.
   */
  live: boolean;
  /** Why the run cannot be followed: an unknown run, no access, a stream that ended early. */
  streamError: StreamProblem | null;
  /** SQL as written or a question in plain words; null until the run's record has arrived. */
  kind: Run['kind'] | null;
}

export interface StreamProblem {
  message: string;
  /** The server's code (`NOT_FOUND`, `UNAUTHORIZED`, …) when it refused; null otherwise. */
  code: string | null;
}

function problemOf(err: { message: string; data?: { code?: unknown } | null }): StreamProblem {
  const code = err.data?.code;
  return { message: err.message, code: typeof code === 'string' ? code : null };
}

interface Followed {
  view: RunView;
  /** When the server ended the stream (normally right after the terminal event). */
  endedAt: number | null;
  streamError: StreamProblem | null;
}

const fresh = (runId: string): Followed => ({
  view: initialRunView(runId),
  endedAt: null,
  streamError: null,
});

const REFUSALS = new Set(['NOT_FOUND', 'UNAUTHORIZED', 'FORBIDDEN', 'BAD_REQUEST']);

export function useRun(runId: string | null | undefined, opts: UseRunOptions = {}): RunState {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = runId ?? '';
  const [followed, setFollowed] = useState(() => fresh(id));
  // Another run: start over (during render, so no frame shows the old run under the new id).
  let current = followed;
  if (current.view.runId !== id) {
    current = fresh(id);
    setFollowed(current);
  }
  const { view, endedAt } = current;
  const terminal = isTerminalStatus(view.status);

  // The stored record: the state of a run that had ended, a head start for one still going (the
  // bar never runs up again from zero while the replay catches up), and the last word on a
  // stream that ended without a terminal event.
  const record = useQuery(
    trpc.runs.byId.queryOptions(runId ? { runId } : skipToken, {
      // An unknown run or one that is not ours stays so: asking again only delays saying it.
      // Anything else (a server restarting) is asked again, with TanStack's capped backoff.
      retry: (_failures, err) => !REFUSALS.has(err.data?.code ?? ''),
    }),
  );
  const { refetch } = record;
  // What the first record said decides whether to follow: later refetches must not cut a stream.
  const first = useRef<{ runId: string; ended: boolean } | null>(null);
  if (record.data && first.current?.runId !== id) {
    first.current = { runId: id, ended: isTerminalStatus(record.data.status) };
  }
  const firstSaid = first.current?.runId === id ? first.current : null;
  const followsLive = Boolean(opts.justStarted) || firstSaid?.ended === false;
  const live =
    Boolean(runId) &&
    !terminal &&
    endedAt === null &&
    !current.streamError &&
    (followsLive || (Boolean(opts.replay) && firstSaid !== null));

  const options = trpc.runs.events.subscriptionOptions(
    // From the first event, so `events` is complete; the seq guard drops what was seen.
    runId ? { runId, lastEventId: null } : skipToken,
    {
      enabled: live,
      onData: ({ data }) =>
        setFollowed((f) =>
          f.view.runId === data.runId ? { ...f, view: applyEvent(f.view, data) } : f,
        ),
      onError: (err) =>
        setFollowed((f) => (f.view.runId === id ? { ...f, streamError: problemOf(err) } : f)),
    },
  );
  useSubscription({
    ...options,
    // tRPC's options take no completion callback; the client's subscription does.
    subscribe: (inner) =>
      options.subscribe({
        ...inner,
        onComplete: () =>
          setFollowed((f) => (f.view.runId === id ? { ...f, endedAt: Date.now() } : f)),
      } as typeof inner),
  });

  // A stream that ended without a terminal event (a server stopping): the record says how the
  // run stands now — asked again each time the socket (re)connects, so a restarted server is
  // heard at once rather than at the query's next backoff — and a run still going (or queued
  // again) is followed again, from where it was.
  const client = useQuerylane();
  useEffect(() => {
    if (endedAt === null || terminal) return;
    void refetch();
    const sub = client.connectionState.subscribe({
      next: (state) => {
        if (state.state === 'pending') void refetch();
      },
    });
    return () => sub.unsubscribe();
  }, [client, endedAt, terminal, refetch]);
  const goingOn =
    endedAt !== null &&
    !terminal &&
    record.data !== undefined &&
    record.dataUpdatedAt > endedAt &&
    !isTerminalStatus(record.data.status);
  useEffect(() => {
    if (goingOn) setFollowed((f) => (f.view.runId === id ? { ...f, endedAt: null } : f));
  }, [goingOn, id]);
  const shown =
    !terminal && record.data && record.data.lastSeq > view.lastSeq
      ? withRecord(view, record.data)
      : view;

  // A followed run that ends changed what listings and its stored record show.
  const onEnd = useRef(opts.onEnd);
  onEnd.current = opts.onEnd;
  const reported = useRef<string | null>(null);
  const finished = followsLive && isTerminalStatus(shown.status) ? shown : null;
  useEffect(() => {
    if (!finished || reported.current === finished.runId) return;
    reported.current = finished.runId;
    void queryClient.invalidateQueries({
      queryKey: trpc.runs.byId.queryKey({ runId: finished.runId }),
    });
    void queryClient.invalidateQueries({ queryKey: trpc.runs.list.pathKey() });
    onEnd.current?.(finished);
  }, [finished, queryClient, trpc]);

  const streamError =
    current.streamError ?? (record.error && !record.data ? problemOf(record.error) : null);
  return {
    ...shown,
    // A run just started here is known to exist: its card shows progress from the start.
    loading:
      Boolean(runId) && !opts.justStarted && view.lastSeq === 0 && !record.data && !streamError,
    live,
    streamError,
    kind: record.data?.kind ?? null,
  };
}
