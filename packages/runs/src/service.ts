// The run lifecycle's one entry point: start, cancel, read and follow runs. It joins the
// recorder (events), the scheduler (queue and slots), the executor (pipelines) and recovery
// (what an earlier process left), and owns the recorder of every run this process writes.
import type { ChartSpec, Result, RunEvent, RunStatus } from '@querylane/contracts';
import type { Encoded } from '@querylane/contracts/transformer';
import type { Access } from './access.ts';
import { announce } from './announce.ts';
import { sayAboutRun } from './assistant.ts';
import { ConflictError, NotFoundError, QueryError } from './errors.ts';
import { executeRun, SHUTDOWN_REASON } from './executor.ts';
import { InFlight } from './in-flight.ts';
import { newRunRecords, type StartInput } from './new-run.ts';

export type { StartInput } from './new-run.ts';

import type {
  ConversationStore,
  EventLog,
  EventSink,
  Page,
  PageCursor,
  Pipeline,
  QueueEntry,
  ReadOptions,
  RoomLog,
  RunLimits,
  RunQueue,
  RunRecord,
  RunStore,
} from './ports.ts';
import { emitPlaces, RunRecorder } from './recorder.ts';
import { recoverUnfinished } from './recovery.ts';
import { Scheduler } from './scheduler.ts';

export interface RunServiceOptions {
  runs: RunStore;
  conversations: ConversationStore;
  events: EventLog;
  /** Who may start, read and cancel runs in a conversation (its owner and its room). */
  access: Access;
  /** Each run started in a conversation is announced in its room. */
  roomLog: RoomLog;
  /** Called once a run has started: its author is no longer composing in that room. */
  sent?: (userId: string, conversationId: string) => Promise<void>;
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

export class RunService {
  readonly #opts: RunServiceOptions;
  readonly #scheduler: Scheduler;
  /** The recorder of every run this process writes (waiting or running): one per run. */
  readonly #recorders = new Map<string, RunRecorder>();
  /** Conversations being deleted: no run may start into them. */
  readonly #deleting = new Set<string>();
  /** Starts under way into an existing conversation, so a delete can wait for them to land. */
  readonly #starting = new InFlight();

  constructor(opts: RunServiceOptions) {
    this.#opts = opts;
    const pipelines = new Map(opts.pipelines.map((p) => [p.kind, p]));
    this.#scheduler = new Scheduler({
      queue: opts.queue,
      concurrency: Math.max(1, opts.concurrency),
      log: opts.log,
      execute: async (entry, signal) => {
        // Claimed just as its conversation began to go: it never starts.
        if (this.#deleting.has(entry.conversationId)) {
          return this.#endWaiting(entry, 'Conversation deleted');
        }
        const recorder = await this.#recorderFor(entry.runId);
        try {
          await executeRun({ ...opts, pipelines }, recorder, signal);
        } finally {
          this.#recorders.delete(entry.runId);
        }
      },
      announce: (places) => emitPlaces(places, (runId) => this.#recorderFor(runId)),
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
    if (existing === undefined) return this.#start(userId, input, undefined);
    if (this.#deleting.has(existing)) {
      throw new ConflictError('This conversation is being deleted; start the run elsewhere.');
    }
    // Counted from here, with no await before: a delete that begins now waits for this start
    // to be queued or running, and then ends it with the rest of the conversation's runs.
    return this.#starting.track(existing, this.#start(userId, input, existing));
  }

  async #start(
    userId: string,
    input: StartInput,
    existing: string | undefined,
  ): Promise<{ runId: string; conversationId: string }> {
    // Its owner and its editors run here; a viewer is refused, anyone else finds nothing.
    if (existing !== undefined) await this.#opts.access.conversation(userId, existing, 'run');
    const records = newRunRecords(userId, input, existing);
    // One transaction: a subscriber finds the run with at least this event, or finds nothing.
    await this.#opts.runs.start(records);
    const { id: runId, conversationId } = records.run;
    this.#recorders.set(runId, new RunRecorder(runId, 1, this.#opts.events));
    await this.#scheduler.enqueue({ runId, userId, conversationId });
    await announce(
      this.#opts.roomLog,
      conversationId,
      {
        type: 'run_started',
        runId,
        userId,
        kind: input.kind,
        query: input.query,
        datasetId: input.datasetId,
      },
      this.#opts.log,
    );
    await this.#opts.sent?.(userId, conversationId);
    return { runId, conversationId };
  }

  /**
   * Ends a queued or running run; a finished run is a ConflictError, never a second end. Who
   * started it may cancel it, and so may the owner of its conversation.
   */
  async cancel(userId: string, runId: string): Promise<{ runId: string; status: RunStatus }> {
    const run = await this.#opts.access.run(userId, runId, 'manage');
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

  /** The run, for who started it and for everyone in its conversation's room. */
  visible(userId: string, runId: string): Promise<RunRecord> {
    return this.#opts.access.run(userId, runId, 'read');
  }

  /**
   * Keeps a chart choice with the run (null: back to the suggested chart), which everyone who
   * sees the run sees: its owner chooses, or the owner of its conversation.
   */
  async setChart(userId: string, runId: string, chart: ChartSpec | null): Promise<RunRecord> {
    const { userId: owner } = await this.#opts.access.run(userId, runId, 'manage');
    const run = await this.#opts.runs.setChart(owner, runId, chart);
    if (!run) throw new NotFoundError('Run', runId);
    return run;
  }

  /** The run with its result, for those who may see it. */
  async view(userId: string, runId: string): Promise<RunRecord & { result: Result | null }> {
    const run = await this.visible(userId, runId);
    return { ...run, result: run.hasResult ? await this.#opts.runs.result(runId) : null };
  }

  /**
   * The same, with the result as stored when the store can hand it over so, for a reader that
   * sends it on over the wire: a big result is then never decoded and encoded again per reader.
   */
  async viewStored(
    userId: string,
    runId: string,
  ): Promise<RunRecord & { result: Result | Encoded<Result> | null }> {
    const { runs } = this.#opts;
    if (!runs.encodedResult) return this.view(userId, runId);
    const run = await this.visible(userId, runId);
    return { ...run, result: run.hasResult ? await runs.encodedResult(runId) : null };
  }

  /**
   * Newest first: the caller's runs, or every run of a conversation they are in (whoever
   * started it). A conversation outside their rooms is not there, rather than merely empty.
   */
  async page(opts: {
    userId: string;
    conversationId?: string | undefined;
    limit: number;
    cursor?: PageCursor | undefined;
  }): Promise<Page<RunRecord>> {
    const { userId, conversationId, cursor, limit } = opts;
    const at = cursor ? { cursor } : {};
    if (!conversationId) return this.#opts.runs.page({ userId, limit, ...at });
    await this.#opts.access.conversation(userId, conversationId, 'read');
    return this.#opts.runs.page({ conversationId, limit, ...at });
  }

  countByStatus(): Promise<Record<RunStatus, number>> {
    return this.#opts.runs.countByStatus();
  }

  /** Stored events after `afterSeq`, then live ones, each once and in order; ends after the last. */
  stream(
    runId: string,
    afterSeq: number,
    signal?: AbortSignal,
    opts?: ReadOptions,
  ): AsyncIterable<RunEvent> {
    return this.#opts.events.read(runId, afterSeq, signal, opts);
  }

  /** The same as `stream`, by push (see EventLog.follow). */
  follow(runId: string, afterSeq: number, sink: EventSink, opts?: ReadOptions): { stop(): void } {
    return this.#opts.events.follow(runId, afterSeq, sink, opts);
  }

  /**
   * Before a conversation is deleted: no run may start into it from now on, and its queued and
   * running runs end as cancelled. Call the returned function once the delete is done.
   */
  async closeConversation(conversationId: string): Promise<() => void> {
    this.#deleting.add(conversationId);
    const reason = 'Conversation deleted';
    try {
      // Starts already past the check above land first (queued or running), and a claim the
      // scheduler has under way becomes a running run, so the steps below see every run.
      await this.#starting.settled(conversationId);
      await this.#scheduler.settled();
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

  /** At start-up: what an earlier process left running ends, what it left waiting runs here. */
  async recover(): Promise<{ interrupted: number; requeued: number }> {
    const { interrupted, waiting } = await recoverUnfinished(this.#opts);
    for (const { entry, recorder } of waiting) this.#recorders.set(entry.runId, recorder);
    await this.#scheduler.enqueue(...waiting.map((w) => w.entry));
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
    if (recorder.failure) {
      // Still `queued` in the store: the next start would run it, so say so where it shows.
      this.#opts.log(`run ${entry.runId}: could not store its cancel`, recorder.failure.error);
      return;
    }
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
