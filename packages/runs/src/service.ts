// The run lifecycle's one entry point: start, cancel, read and follow runs. It joins the
// recorder (events), the scheduler (queue and slots), the executor (pipelines) and recovery
// (what an earlier process left), and owns the recorder of every run this process writes.
import type { ChartSpec, Result, RunEvent, RunStatus } from '@querylane/contracts';
import { sayAboutRun } from './assistant.ts';
import { ConflictError, NotFoundError, QueryError } from './errors.ts';
import { executeRun, interruptedError, SHUTDOWN_REASON } from './executor.ts';
import type {
  ConversationStore,
  EventLog,
  EventSink,
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
import { Scheduler } from './scheduler.ts';
import { titleFromQuery } from './titles.ts';

export interface RunServiceOptions {
  runs: RunStore;
  conversations: ConversationStore;
  events: EventLog;
  queue: RunQueue;
  pipelines: readonly Pipeline[];
  limits: RunLimits;
  /** Runs executing at once in this process; the rest wait `queued`. */
  concurrency: number;
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

export class RunService {
  readonly #opts: RunServiceOptions;
  readonly #scheduler: Scheduler;
  /** The recorder of every run this process writes (waiting or running): one per run. */
  readonly #recorders = new Map<string, RunRecorder>();
  /** Conversations being deleted: no run may start into them. */
  readonly #deleting = new Set<string>();

  constructor(opts: RunServiceOptions) {
    this.#opts = opts;
    const pipelines = new Map(opts.pipelines.map((p) => [p.kind, p]));
    this.#scheduler = new Scheduler({
      queue: opts.queue,
      concurrency: Math.max(1, opts.concurrency),
      log: opts.log,
      execute: async (entry, signal) => {
        const recorder = await this.#recorderFor(entry.runId);
        try {
          await executeRun({ ...opts, pipelines }, recorder, signal);
        } finally {
          this.#recorders.delete(entry.runId);
        }
      },
      announce: async (places) => {
        const recorders: RunRecorder[] = [];
        for (const { entry, position } of places) {
          const recorder = await this.#recorderFor(entry.runId);
          recorder.emit({ type: 'queued', position });
          recorders.push(recorder);
        }
        // Stored now, so the place in line is known the moment runs.start returns; flushed in
        // one tick, so every run's `queued` event goes into one group commit.
        await Promise.all(recorders.map((recorder) => recorder.flush()));
      },
    });
  }

  async stats(): Promise<{ queued: number; running: number }> {
    return this.#scheduler.stats();
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
    this.#recorders.set(runId, new RunRecorder(runId, 1, this.#opts.events));
    await this.#scheduler.enqueue({ runId, userId, conversationId });
    return { runId, conversationId };
  }

  /** Ends a queued or running run; a finished run is a ConflictError, never a second end. */
  async cancel(userId: string, runId: string): Promise<{ runId: string; status: RunStatus }> {
    const run = await this.getOwned(userId, runId);
    const [queued] = await this.#scheduler.remove({ runId });
    if (queued) {
      await this.#endWaiting(queued, 'Cancelled before it started');
      return { runId, status: 'cancelled' };
    }
    const done = this.#scheduler.abort(runId, 'Cancelled by the user');
    if (!done) {
      throw new ConflictError(`Run ${runId} has already ended (${run.status}); nothing to cancel.`);
    }
    await done;
    return { runId, status: (await this.#opts.runs.get(runId))?.status ?? run.status };
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

  /** The same as `stream`, by push (see EventLog.follow). */
  follow(runId: string, afterSeq: number, sink: EventSink): { stop(): void } {
    return this.#opts.events.follow(runId, afterSeq, sink);
  }

  /**
   * Before a conversation is deleted: no run may start into it from now on, and its queued and
   * running runs end as cancelled. Call the returned function once the delete is done.
   */
  async closeConversation(conversationId: string): Promise<() => void> {
    this.#deleting.add(conversationId);
    const reason = 'Conversation deleted';
    try {
      for (const entry of await this.#scheduler.remove({ conversationId })) {
        await this.#endWaiting(entry, reason);
      }
      await this.#scheduler.abortWhere(conversationId, reason);
    } catch (err) {
      this.#deleting.delete(conversationId);
      throw err;
    }
    return () => this.#deleting.delete(conversationId);
  }

  /**
   * At start-up, for the runs an earlier process left unfinished: one that was running ends
   * `interrupted` with a terminal event (its query died with that process); one still waiting
   * never started, so it queues again, in its original order, and runs here.
   */
  async recover(): Promise<{ interrupted: number; requeued: number }> {
    const waiting: QueueEntry[] = [];
    let interrupted = 0;
    for (const run of await this.#opts.runs.unfinished()) {
      const recorder = new RunRecorder(run.id, run.lastSeq, this.#opts.events);
      if (run.status === 'running') {
        recorder.emit({ type: 'failed', error: interruptedError });
        await recorder.flush();
        await this.#say(run, interruptedError.message);
        interrupted += 1;
      } else {
        this.#recorders.set(run.id, recorder);
        waiting.push({ runId: run.id, userId: run.userId, conversationId: run.conversationId });
      }
    }
    await this.#scheduler.enqueue(...waiting);
    return { interrupted, requeued: waiting.length };
  }

  /**
   * Graceful stop. No run starts from here on; running runs get `graceMs` to finish, and any
   * still running then ends `interrupted`, its terminal event stored. Waiting runs stay
   * `queued` in the store, and the next process to start runs them.
   */
  async shutdown(graceMs: number): Promise<void> {
    await this.#scheduler.shutdown(graceMs, SHUTDOWN_REASON);
  }

  async #endWaiting(entry: QueueEntry, reason: string): Promise<void> {
    const recorder = await this.#recorderFor(entry.runId);
    this.#recorders.delete(entry.runId);
    recorder.emit({ type: 'cancelled', reason });
    await recorder.flush();
    const run = await this.#opts.runs.get(entry.runId);
    if (run) await this.#say(run, `${reason}.`);
  }

  /** The run's recorder here, or one that continues from its stored seq (a run claimed elsewhere). */
  async #recorderFor(runId: string): Promise<RunRecorder> {
    let recorder = this.#recorders.get(runId);
    if (!recorder) {
      const run = await this.#opts.runs.get(runId);
      recorder = new RunRecorder(runId, run?.lastSeq ?? 0, this.#opts.events);
      this.#recorders.set(runId, recorder);
    }
    return recorder;
  }

  #say(run: RunRecord, content: string): Promise<void> {
    return sayAboutRun(this.#opts.conversations, run, content, this.#opts.log);
  }
}
