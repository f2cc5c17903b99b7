// The run lifecycle's one entry point: start, cancel, read and follow runs. It joins the
// recorder (events), the scheduler (queue and slots), the executor (pipelines) and recovery
// (what an earlier process, or a node that died, left unfinished).
import {
  type ChartSpec,
  isTerminalStatus,
  type Result,
  type RunEvent,
  type RunStatus,
} from '@querylane/contracts';
import type { Encoded } from '@querylane/contracts/transformer';
import { announce } from './announce.ts';
import { ConflictError, NotFoundError, QueryError } from './errors.ts';
import { SHUTDOWN_REASON } from './executor.ts';
import { InFlight } from './in-flight.ts';
import { alreadyStarted, newRunRecords, type Started, type StartInput } from './new-run.ts';
import { endWaiting, untilEnded } from './one-write.ts';
import type { EventSink, Page, PageCursor, QueueEntry, ReadOptions, RunRecord } from './ports.ts';
import { recoverUnfinished } from './recovery.ts';
import { runScheduler } from './run-scheduler.ts';
import type { RunServiceOptions } from './run-service-options.ts';
import type { Scheduler } from './scheduler.ts';

export type { StartInput } from './new-run.ts';
export type { RunServiceOptions } from './run-service-options.ts';

const CANCEL_REASON = 'Cancelled by the user';
/** How long a cancel waits for another node to end the run it asked it to stop. */
const REMOTE_END_WAIT_MS = 120_000;

export class RunService {
  readonly #opts: RunServiceOptions;
  readonly #scheduler: Scheduler;
  /** Conversations being deleted: no run may start into them. */
  readonly #deleting = new Set<string>();
  /** Starts under way into an existing conversation, so a delete can wait for them to land. */
  readonly #starting = new InFlight();

  constructor(opts: RunServiceOptions) {
    this.#opts = opts;
    this.#scheduler = runScheduler(opts, this.#deleting);
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

  /**
   * Stores a new run with its first event, puts it in line and tells its room; `stored` holds
   * the events this call committed (none when a client-chosen id found the run already there).
   * With `lineUpAfterReply` it resolves once the run is stored and puts it in line on the next
   * turn of the event loop: the caller's reply (the run's first event) goes out first.
   */
  async start(
    userId: string,
    input: StartInput,
    opts: { lineUpAfterReply?: boolean } = {},
  ): Promise<Started> {
    if (this.#scheduler.closing) {
      throw new ConflictError('The server is shutting down; try again shortly.');
    }
    if (!this.#opts.hasDataset(input.datasetId)) {
      throw new QueryError('DATASET_NOT_FOUND', `There is no dataset "${input.datasetId}".`, {
        hint: `Available datasets: ${this.#opts.datasetIds().join(', ')}`,
      });
    }
    const again = await alreadyStarted(this.#opts.runs, userId, input);
    if (again) return again;
    const existing = input.conversationId;
    const later = opts.lineUpAfterReply === true;
    if (existing === undefined) return (await this.#start(userId, input, undefined, later)).started;
    if (this.#deleting.has(existing)) {
      throw new ConflictError('This conversation is being deleted; start the run elsewhere.');
    }
    // Counted from here, with no await before: a delete that begins now waits for this start
    // to be queued or running, and then ends it with the rest of the conversation's runs.
    const work = this.#start(userId, input, existing, later);
    const lined = this.#starting.track(
      existing,
      work.then((w) => w.lined),
    );
    lined.catch(() => {}); // its failure is the caller's, through `work`
    return (await work).started;
  }

  async #start(
    userId: string,
    input: StartInput,
    existing: string | undefined,
    later: boolean,
  ): Promise<{ started: Started; lined: Promise<void> }> {
    // Its owner and its editors run here; a viewer is refused, anyone else finds nothing.
    if (existing !== undefined) await this.#opts.access.conversation(userId, existing, 'run');
    const records = newRunRecords(userId, input, existing);
    // One transaction: a subscriber finds the run with at least this event, or finds nothing.
    // The same client-chosen id started twice at once: the second finds the first's run.
    let twin: Started | undefined;
    await this.#opts.runs.start(records).catch(async (err: unknown) => {
      twin = await alreadyStarted(this.#opts.runs, userId, input);
      if (twin === undefined) throw err;
    });
    if (twin) return { started: twin, lined: Promise.resolve() };
    const { id: runId, conversationId } = records.run;
    const started = { runId, conversationId, stored: records.events };
    const lineUp = async () => {
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
    };
    if (!later) {
      await lineUp();
      return { started, lined: Promise.resolve() };
    }
    // Stored, so a crash from here on leaves it to recovery; a queue that fails ends it.
    const lined = new Promise<void>((resolve) => setImmediate(resolve))
      .then(lineUp)
      .catch(async (err: unknown) => {
        this.#opts.log(`run ${runId}: putting it in line failed`, err);
        await endWaiting(this.#opts, runId, 'It could not be put in line; start it again');
      });
    return { started, lined };
  }

  /**
   * Ends a queued or running run, wherever it runs; a finished run is a ConflictError, never a
   * second end. Who started it may cancel it, and so may the owner of its conversation. A run
   * executing on another node is asked to stop there, and this resolves once its end is stored.
   */
  async cancel(userId: string, runId: string): Promise<{ runId: string; status: RunStatus }> {
    const run = await this.#opts.access.run(userId, runId, 'manage');
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
        await untilEnded(this.#opts, runId, REMOTE_END_WAIT_MS);
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
   * Before a conversation is deleted: no run may start into it from now on (here), and its
   * queued and running runs — on any node — end as cancelled. Call the returned function once
   * the delete is done.
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
      const elsewhere = await this.#opts.queue.abort({ conversationId }, reason);
      await Promise.all(
        elsewhere.map((runId) => untilEnded(this.#opts, runId, REMOTE_END_WAIT_MS)),
      );
    } catch (err) {
      this.#deleting.delete(conversationId);
      throw err;
    }
    return () => this.#deleting.delete(conversationId);
  }

  /**
   * At start-up. Alone on its queue: what an earlier process left running ends `interrupted`,
   * what it left waiting runs here. On a shared queue nothing is this process's to recover —
   * other nodes may be running those runs — so it ends only runs whose lease ran out, and from
   * then on keeps leases, reaps and polls like every node.
   */
  async recover(): Promise<{ interrupted: number; requeued: number }> {
    if (this.#opts.queue.shared) {
      const interrupted = await this.#scheduler.reap();
      this.#scheduler.start();
      void this.#scheduler.pump();
      return { interrupted, requeued: 0 };
    }
    const { interrupted, waiting } = await recoverUnfinished(this.#opts);
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

  #endWaiting(entry: QueueEntry, reason: string): Promise<void> {
    return endWaiting(this.#opts, entry.runId, reason);
  }

  async #status(runId: string, fallback: RunStatus): Promise<RunStatus> {
    return (await this.#opts.runs.get(runId))?.status ?? fallback;
  }
}
