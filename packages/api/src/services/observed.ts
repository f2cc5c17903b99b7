// Wrappers that watch what passes through the run ports without changing it: every stored run
// event counted for the events-per-second figure, and every run's end reported to the feed.
import { isTerminalEvent, type RunEvent } from '@querylane/contracts';
import type { EventLog, RunRecord, RunStore } from '@querylane/runs';
import type { ActivityFeed } from './activity.ts';
import type { RateMeter } from './limits.ts';

/** Counts each run's first events, which `runs.start` stores itself. */
export function meteredStarts(store: RunStore, meter: RateMeter): RunStore {
  return {
    async start(input) {
      const run = await store.start(input);
      meter.mark(input.events.length);
      return run;
    },
    get: (runId) => store.get(runId),
    result: (runId) => store.result(runId),
    ...(store.encodedResult ? { encodedResult: store.encodedResult.bind(store) } : {}),
    page: (opts) => store.page(opts),
    patch: (runId, patch) => store.patch(runId, patch),
    setChart: (userId, runId, chart) => store.setChart(userId, runId, chart),
    unfinished: () => store.unfinished(),
    countByStatus: () => store.countByStatus(),
  };
}

/** What the feed says about a run that just ended. */
function finished(run: RunRecord, end: RunEvent) {
  const endedAt = run.finishedAt ?? end.at;
  const from = run.startedAt ?? run.createdAt;
  return {
    type: 'run_finished' as const,
    runId: run.id,
    userId: run.userId,
    datasetId: run.datasetId,
    status:
      run.status === 'queued' || run.status === 'running' ? ('interrupted' as const) : run.status,
    durationMs: Math.max(0, endedAt.getTime() - from.getTime()),
    rowCount: end.type === 'completed' ? end.result.rowCount : null,
    errorCode: end.type === 'failed' ? end.error.code : null,
  };
}

/** Counts every stored event, and reports each run's end once its terminal event is stored. */
export function observedLog(
  log: EventLog,
  opts: { meter: RateMeter; activity: ActivityFeed; runs: RunStore },
): EventLog {
  return {
    async append(runId, events, patch) {
      await log.append(runId, events, patch);
      opts.meter.mark(events.length);
      const end = events.find(isTerminalEvent);
      if (end) {
        void opts.runs
          .get(runId)
          .then((run) => run && opts.activity.record(finished(run, end)))
          .catch(() => undefined); // the feed is a view; the run has ended either way
      }
    },
    read: (runId, afterSeq, signal, readOpts) => log.read(runId, afterSeq, signal, readOpts),
    follow: (runId, afterSeq, sink, readOpts) => log.follow(runId, afterSeq, sink, readOpts),
    listenerCount: (runId) => log.listenerCount(runId),
  };
}
