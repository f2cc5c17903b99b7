// Keeps one run's view model current: from its stored record when it is finished, otherwise from
// the `runs.events` subscription (full replay, then live), resuming after the last folded seq.
import { isTerminalStatus } from '@querylane/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { applyEvent, initialRunView, type RunView, runViewFromRecord } from './run-state.ts';
import { useTRPC, useTRPCClient } from './trpc/react.tsx';

export interface RunState {
  view: RunView;
  /** True while events are (or are about to be) streaming in. */
  streaming: boolean;
  /** Nothing known yet: neither the stored record nor a first event has arrived. */
  loading: boolean;
  /** A message when the run could not be loaded or followed. */
  problem: string | null;
}

/**
 * `live` marks a run this tab just started: it is followed from the first event without waiting
 * for its record, so the card shows progress at once.
 */
export function useRun(runId: string, conversationId: string | null, live: boolean): RunState {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const [view, setView] = useState(() => initialRunView(runId));
  const [streamEnded, setStreamEnded] = useState(false);
  const [streamError, setStreamError] = useState<string | null>(null);
  const viewRef = useRef(view);
  viewRef.current = view;

  const record = useQuery(
    trpc.runs.byId.queryOptions({ runId }, { enabled: !live || streamEnded }),
  );

  const recordFinished = record.data ? isTerminalStatus(record.data.status) : false;
  const shouldStream =
    !isTerminalStatus(view.status) &&
    !streamEnded &&
    !streamError &&
    (live || (record.data !== undefined && !recordFinished));

  useEffect(() => {
    if (!shouldStream) return;
    // After a remount (or React's dev double effect) only what was not folded in yet is asked for.
    const lastSeq = viewRef.current.lastSeq;
    // Unsubscribing completes the observable too; only an end the server chose counts as ended.
    let active = true;
    const sub = client.runs.events.subscribe(
      { runId, lastEventId: lastSeq > 0 ? String(lastSeq) : null },
      {
        onData: ({ data }) => {
          if (active) setView((v) => applyEvent(v, data));
        },
        onError: (err) => {
          if (active) setStreamError(err.message);
        },
        onComplete: () => {
          if (active) setStreamEnded(true);
        },
      },
    );
    return () => {
      active = false;
      sub.unsubscribe();
    };
  }, [client, runId, shouldStream]);

  // Once the run ends, the stored record, the assistant message and the list order all changed.
  const finished = isTerminalStatus(view.status);
  useEffect(() => {
    if (!finished) return;
    void queryClient.invalidateQueries({ queryKey: trpc.runs.byId.queryKey({ runId }) });
    void queryClient.invalidateQueries({ queryKey: trpc.conversations.list.pathKey() });
    if (conversationId) {
      void queryClient.invalidateQueries({
        queryKey: trpc.conversations.byId.queryKey({ conversationId }),
      });
    }
  }, [finished, queryClient, trpc, runId, conversationId]);

  let shown = view;
  if (!isTerminalStatus(view.status) && record.data && (recordFinished || view.lastSeq === 0)) {
    // A stream that ended without a terminal event (an interrupted run) defers to the record;
    // before the first event, the record's progress beats an empty card.
    shown = { ...runViewFromRecord(record.data), plan: view.plan };
  } else if (!isTerminalStatus(view.status) && record.data && !recordFinished) {
    // While the replay catches up, the bar stays where the record says the run already was,
    // rather than running up again from zero.
    shown = { ...view, progress: Math.max(view.progress, record.data.progress ?? 0) };
  }

  const problem =
    streamError ??
    (record.error ? record.error.message : null) ??
    (streamEnded && !isTerminalStatus(shown.status) && !record.isFetching
      ? 'The event stream ended before the run finished.'
      : null);

  const loading = !live && record.data === undefined && view.lastSeq === 0;
  return { view: shown, streaming: shouldStream, loading, problem };
}
