// The scheduler as the run service drives it: what executing, announcing a place in line and
// ending a run whose node died mean for a run — each write continuing from the stored seq, as
// other nodes may have written the run meanwhile.

import { sayAboutRun } from './assistant.ts';
import { LeaseLostError } from './errors.ts';
import { executeRun, interruptedError } from './executor.ts';
import { endWaiting, writeOnce } from './one-write.ts';
import type { Pipeline, RunKind } from './ports.ts';
import type { RunServiceOptions } from './run-service-options.ts';
import { Scheduler } from './scheduler.ts';

export function runScheduler(
  opts: RunServiceOptions,
  /** Conversations being deleted here: a run claimed into one never starts. */
  deleting: ReadonlySet<string>,
): Scheduler {
  const pipelines = new Map<RunKind, Pipeline>(opts.pipelines.map((p) => [p.kind, p]));
  return new Scheduler({
    queue: opts.queue,
    concurrency: Math.max(0, opts.concurrency),
    log: opts.log,
    ...(opts.leases ? { leases: opts.leases } : {}),
    execute: async (entry, signal) => {
      if (deleting.has(entry.conversationId)) {
        await endWaiting(opts, entry.runId, 'Conversation deleted');
        return true;
      }
      return executeRun({ ...opts, pipelines }, entry.runId, signal);
    },
    announce: async (entry, position) => {
      try {
        // Stored now, so the place in line is known the moment runs.start returns.
        await writeOnce(opts, entry.runId, { type: 'queued', position });
      } catch (err) {
        // Claimed or ended meanwhile (elsewhere): its place in line no longer matters.
        if (!(err instanceof LeaseLostError)) throw err;
      }
    },
    endExpired: async (entry) => {
      try {
        const run = await writeOnce(opts, entry.runId, { type: 'failed', error: interruptedError });
        if (run) await sayAboutRun(opts.conversations, run, interruptedError.message, opts.log);
        return true;
      } catch (err) {
        opts.log(`run ${entry.runId}: could not end it after its node stopped`, err);
        return false;
      }
    },
  });
}
