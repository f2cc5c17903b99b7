// The run lifecycle's one entry point: start, cancel, read and follow runs. It joins the
// recorder (events), the scheduler (queue and slots), the executor (pipelines) and recovery
// (what an earlier process, or a node that died, left unfinished).
import {
  type ChartSpec,
  isTerminalStatus,
  type Result,
  type RunEvent,
  type RunEventInput,
  type RunStatus,
} from '@querylane/contracts';
import { sayAboutRun } from './assistant.ts';
import {
  ConflictError,
  LeaseLostError,
  NotFoundError,
  QueryError,
  RunEndedError,
  SeqConflictError,
} from './errors.ts';
import { executeRun, interruptedError, SHUTDOWN_REASON } from './executor.ts';
import type {
  ConversationStore,
  EventLog,
  Page,
  PageCursor,
  Pipeline,
  QueueEntry,
  RunKind,
  RunLimits,
  RunQueue,
  RunRecord,
  RunStore,
} from './ports.ts';
import { RunRecorder } from './recorder.ts';
import { type LeaseTiming, Scheduler } from './scheduler.ts';
import { titleFromQuery } from './titles.ts';

export interface RunServiceOptions {
  runs: RunStore;
  conversations: ConversationStore;
  events: EventLog;
  queue: RunQueue;
  pipelines: readonly Pipeline[];
  limits: RunLimits;
  /** Runs executing at once in this process; the rest wait `queued`. 0: this node runs none. */
  concurrency: number;
  /** On a shared queue: how often leases are renewed, expired ones reaped, the queue polled. */
  leases?: LeaseTiming;
  /** Whether a dataset id names a dataset runs can use. */
  hasDataset: (datasetId: string) => boolean;
  /** What to say when a dataset id is unknown. */
  datasetIds: () => string[];
  log: (message: string, err?: unknown) => void;
}

export interface StartInput {
  kind: RunKind;
  query: string;
  datasetId: string;
  conversationId?: string | undefined;
}

const CANCEL_REASON = 'Cancelled by the user';
/** How long a cancel waits for another node to end the run it asked it to stop. */
const REMOTE_END_WAIT_MS = 120_000;

export class RunService {
  readonly #opts: RunServiceOptions;
  readonly #scheduler: Scheduler;
  /** Conversations being deleted: no run may start into them. */
  readonly #deleting = new Set<string>();

  constructor(opts: RunServiceOptions) {
    this.#opts = opts;
    const pipelines = new Map(opts.pipelines.map((p) => [p.kind, p]));
    this.#scheduler = new Scheduler({
      queue: opts.queue,
      concurrency: Math.max(0, opts.concurrency),
      log: opts.log,
      ...(opts.leases ? { leases: opts.leases } : {}),
      execute: (entry, signal) => executeRun({ ...opts, pipelines }, entry.runId, signal),
      announce: async (entry, position) => {
        try {
          // Stored now, so the place in line is known the moment runs.start returns.
          await this.#writeOnce(entry.runId, { type: 'queued', position });
        } catch (err) {
          // Claimed or ended meanwhile (elsewhere): its place in line no longer matters.
          if (!(err instanceof LeaseLostError)) throw err;
        }
      },
      endExpired: async (entry) => {
        try {
          const run = await this.#writeOnce(entry.runId, {
            type: 'failed',
            error: interruptedError,
          });
          if (run) await this.#say(run, interruptedError.message);
          return true;
        } catch (err) {
          opts.log(`run ${entry.runId}: could not end it after its node stopped`, err);
          return false;
        }
      },
    });
  }

  async stats(): Promise<{ queued: number; running: number }> {
    return this.#scheduler.stats();
  }

  /** What this node executes: now, at most so far, and at most allowed. */
  load(): { running: number; peakRunning: number; concurrency: number } {
    return {
      running: this.#scheduler.running,
      peakRunning: this.#scheduler.peakRunning,
      concurrency: Math.max(0, this.#opts.concurrency),
    };
  }

  async start(
    userId: string,
    input: StartInput,
  ): Promise<{ runId: string; conversationId: string }> {
    if (this.#scheduler.closing) {
      throw new ConflictError('The server is shutting down; try again shortly.');
    }
    if (!this.#opts.hasDataset(input.datasetId)) {
      throw new QueryError('DATASET_NOT_FOUND', `There is no dataset "${input.datasetId}".`, {
        hint: `Available datasets: ${this.#opts.datasetIds().join(', ')}`,
      });
    }
    const existing = input.conversationId;
    if (existing !== undefined) {
      if (this.#deleting.has(existing)) {
        throw new ConflictError('This conversation is being deleted; start the run elsewhere.');
      }
      if (!(await this.#opts.conversations.getOwned(userId, existing))) {
        throw new NotFoundError('Conversation', existing);
      }
    }
    const conversationId = existing ?? crypto.randomUUID();
    const runId = crypto.randomUUID();
    const started: RunEvent = {
      type: 'started',
      seq: 1,
      runId,
      at: new Date(),
      query: input.query,
      datasetId: input.datasetId,
    };
    // One transaction: a subscriber finds the run with at least this event, or finds nothing.
    await this.#opts.runs.start({
      ...(existing === undefined
        ? { conversation: { id: conversationId, userId, title: titleFromQuery(input.query) } }
        : {}),
      run: {
        id: runId,
        userId,
        conversationId,
        datasetId: input.datasetId,
        kind: input.kind,
        query: input.query,
      },
      message: {
        id: crypto.randomUUID(),
        conversationId,
        userId,
        role: 'user',
        content: input.query,
        runId,
      },
      events: [started],
    });
    await this.#scheduler.enqueue({ runId, userId, conversationId });
    return { runId, conversationId };
  }

  /**
   * Ends a queued or running run, wherever it runs; a finished run is a ConflictError, never a
   * second end. A run executing on another node is asked to stop there, and this resolves once
   * its end is stored.
   */
  async cancel(userId: string, runId: string): Promise<{ runId: string; status: RunStatus }> {
    const run = await this.getOwned(userId, runId);
    for (let attempt = 1; ; attempt++) {
      const [queued] = await this.#scheduler.remove({ runId });
      if (queued) {
        await this.#endWaiting(queued, 'Cancelled before it started');
        return { runId, status: 'cancelled' };
      }
      const here = this.#scheduler.abort(runId, CANCEL_REASON);
      if (here) {
        await here;
        return { runId, status: await this.#status(runId, run.status) };
      }
      if ((await this.#opts.queue.abort({ runId }, CANCEL_REASON)).length > 0) {
        await this.#untilEnded(runId);
        return { runId, status: await this.#status(runId, run.status) };
      }
      const now = await this.#opts.runs.get(runId);
      if (!now || isTerminalStatus(now.status) || attempt >= 5) {
        throw new ConflictError(
          `Run ${runId} has already ended (${now?.status ?? run.status}); nothing to cancel.`,
        );
      }
      // Between two places (just claimed by a node, not yet visible as held): look again.
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  }

  async getOwned(userId: string, runId: string): Promise<RunRecord> {
    const run = await this.#opts.runs.getOwned(userId, runId);
    if (!run) throw new NotFoundError('Run', runId);
    return run;
  }

  /** Keeps the owner's chart choice with the run (null: back to the suggested chart). */
  async setChart(userId: string, runId: string, chart: ChartSpec | null): Promise<RunRecord> {
    const run = await this.#opts.runs.setChart(userId, runId, chart);
    if (!run) throw new NotFoundError('Run', runId);
    return run;
  }

  /** The run with its result, if its owner asks. */
  async view(userId: string, runId: string): Promise<RunRecord & { result: Result | null }> {
    const run = await this.getOwned(userId, runId);
    return { ...run, result: run.hasResult ? await this.#opts.runs.result(runId) : null };
  }

  /** Newest first; another user's conversation is not there, rather than merely empty. */
  async page(opts: {
    userId: string;
    conversationId?: string | undefined;
    limit: number;
    cursor?: PageCursor | undefined;
  }): Promise<Page<RunRecord>> {
    const { conversationId, cursor, ...rest } = opts;
    if (conversationId && !(await this.#opts.conversations.getOwned(opts.userId, conversationId))) {
      throw new NotFoundError('Conversation', conversationId);
    }
    return this.#opts.runs.page({
      ...rest,
      ...(conversationId ? { conversationId } : {}),
      ...(cursor ? { cursor } : {}),
    });
  }

  countByStatus(): Promise<Record<RunStatus, number>> {
    return this.#opts.runs.countByStatus();
  }

  /** Stored events after `afterSeq`, then live ones, each once and in order; ends after the last. */
  stream(runId: string, afterSeq: number, signal?: AbortSignal): AsyncIterable<RunEvent> {
    return this.#opts.events.read(runId, afterSeq, signal);
  }

  /**
   * Before a conversation is deleted: no run may start into it from now on (here), and its
   * queued and running runs — on any node — end as cancelled. Call the returned function once
   * the delete is done.
   */
  async closeConversation(conversationId: string): Promise<() => void> {
    this.#deleting.add(conversationId);
    const reason = 'Conversation deleted';
    try {
      for (const entry of await this.#scheduler.remove({ conversationId })) {
        await this.#endWaiting(entry, reason);
      }
      await this.#scheduler.abortWhere(conversationId, reason);
      const elsewhere = await this.#opts.queue.abort({ conversationId }, reason);
      await Promise.all(elsewhere.map((runId) => this.#untilEnded(runId)));
    } catch (err) {
      this.#deleting.delete(conversationId);
      throw err;
    }
    return () => this.#deleting.delete(conversationId);
  }

  /**
   * At start-up. Alone on its queue, for the runs an earlier process left unfinished: one that
   * was running ends `interrupted` with a terminal event (its query died with that process);
   * one still waiting never started, so it queues again, in its original order, and runs here.
   * On a shared queue nothing is this process's to recover — other nodes may be running those
   * runs — so it ends only runs whose lease ran out, and from then on keeps leases, reaps and
   * polls like every node.
   */
  async recover(): Promise<{ interrupted: number; requeued: number }> {
    if (this.#opts.queue.shared) {
      const interrupted = await this.#scheduler.reap();
      this.#scheduler.start();
      void this.#scheduler.pump();
      return { interrupted, requeued: 0 };
    }
    const waiting: QueueEntry[] = [];
    let interrupted = 0;
    for (const run of await this.#opts.runs.unfinished()) {
      if (run.status === 'running') {
        if (await this.#writeOnce(run.id, { type: 'failed', error: interruptedError })) {
          await this.#say(run, interruptedError.message);
          interrupted += 1;
        }
      } else {
        waiting.push({ runId: run.id, userId: run.userId, conversationId: run.conversationId });
      }
    }
    await this.#scheduler.enqueue(...waiting);
    return { interrupted, requeued: waiting.length };
  }

  /** Ends runs whose node stopped renewing their leases now, rather than at the next interval. */
  reap(): Promise<number> {
    return this.#scheduler.reap();
  }

  /**
   * Graceful stop. No run starts from here on; running runs get `graceMs` to finish, and any
   * still running then ends `interrupted`, its terminal event stored. Waiting runs stay
   * `queued` in the store, and the next process (or another node) runs them.
   */
  async shutdown(graceMs: number): Promise<void> {
    await this.#scheduler.shutdown(graceMs, SHUTDOWN_REASON);
  }

  async #endWaiting(entry: QueueEntry, reason: string): Promise<void> {
    const run = await this.#writeOnce(entry.runId, { type: 'cancelled', reason });
    if (run) await this.#say(run, `${reason}.`);
  }

  /**
   * Writes one event for a run this node does not execute (a place in line, a cancel before it
   * started, the end of a run whose node died), continuing from the stored seq. Another writer
   * may get there first; then it reads the run again. Resolves with the run as it was before
   * the event, or undefined when the run had already ended (or is gone) and nothing was written.
   */
  async #writeOnce(runId: string, input: RunEventInput): Promise<RunRecord | undefined> {
    for (let attempt = 1; ; attempt++) {
      const run = await this.#opts.runs.get(runId);
      if (!run || isTerminalStatus(run.status)) return undefined;
      const recorder = new RunRecorder(runId, run.lastSeq, this.#opts.events);
      recorder.emit(input);
      await recorder.flush();
      const failure = recorder.failure?.error;
      if (failure === undefined) return run;
      if (failure instanceof RunEndedError) return undefined;
      if (!(failure instanceof SeqConflictError) || attempt >= 5) throw failure;
    }
  }

  /** Resolves once the run's terminal event is stored (or after a long wait, or if it is gone). */
  async #untilEnded(runId: string): Promise<void> {
    const run = await this.#opts.runs.get(runId);
    if (!run || isTerminalStatus(run.status)) return;
    const signal = AbortSignal.timeout(REMOTE_END_WAIT_MS);
    for await (const _ of this.#opts.events.read(runId, run.lastSeq, signal)) {
      // read() returns after the terminal event.
    }
  }

  async #status(runId: string, fallback: RunStatus): Promise<RunStatus> {
    return (await this.#opts.runs.get(runId))?.status ?? fallback;
  }

  #say(run: RunRecord, content: string): Promise<void> {
    return sayAboutRun(this.#opts.conversations, run, content, this.#opts.log);
  }
}
