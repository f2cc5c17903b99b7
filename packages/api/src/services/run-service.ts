// Owns the life of every run: accepts it, queues it, drives the engine's pipeline, stores each
// event (batched, in transactions) before publishing it, and ends each run with one terminal event.
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import {
  isTerminalEvent,
  isTerminalStatus,
  type Result,
  type RunError,
  type RunEvent,
  type RunEventInput,
  type RunStatus,
} from '@querylane/contracts';
import { transformer } from '@querylane/contracts/transformer';
import type { Repositories, RunPatch, RunRow } from '@querylane/db';
import {
  type DatasetRegistry,
  RunCancelledError,
  runSqlPipeline,
  stopSqlWorkers,
  toRunError,
} from '@querylane/engine';
import { ConflictError, NotFoundError } from '../errors.ts';
import { type EventBus, EventQueue } from './bus.ts';
import { FairQueue } from './fair-queue.ts';

export interface RunLimits {
  maxRows: number;
  timeoutMs: number;
  /** At most one `rows` event per this many ms while a query streams rows. */
  progressMs: number;
}

export interface RunServiceOptions {
  repos: Repositories;
  registry: DatasetRegistry;
  bus: EventBus;
  limits?: Partial<RunLimits>;
  /** Runs executing at once; the rest wait as `queued`. Default: the number of cores. */
  concurrency?: number;
  log?: (message: string, err?: unknown) => void;
}

const SHUTDOWN_REASON = 'server-shutdown';
const BACKLOG_PAGE = 500;

const interruptedError: RunError = {
  code: 'INTERRUPTED',
  message: 'The server stopped while this run was in progress.',
  hint: 'Run the query again.',
  retryable: true,
};

interface QueuedRun {
  runId: string;
  userId: string;
  conversationId: string;
  recorder: RunRecorder;
  /** The position last announced in a `queued` event. */
  position?: number;
}

interface ActiveRun {
  runId: string;
  userId: string;
  conversationId: string;
  controller: AbortController;
  done: Promise<void>;
}

/**
 * Assigns seq numbers and writes events in batches; publishes only what is committed. Exported
 * so the fan-out bench drives the same write path as a real run.
 */
export class RunRecorder {
  #seq: number;
  #pending: RunEvent[] = [];
  #patch: RunPatch = {};
  #scheduled = false;

  constructor(
    readonly runId: string,
    lastSeq: number,
    private readonly repos: Repositories,
    private readonly bus: EventBus,
  ) {
    this.#seq = lastSeq;
  }

  get lastSeq(): number {
    return this.#seq;
  }

  emit(input: RunEventInput, patch: RunPatch = {}): RunEvent {
    this.#seq += 1;
    const event = { ...input, seq: this.#seq, runId: this.runId, at: new Date() } as RunEvent;
    this.#pending.push(event);
    Object.assign(this.#patch, patchFor(event), patch, { lastSeq: this.#seq });
    // Events emitted in the same tick share one transaction; terminal events are written now.
    if (isTerminalEvent(event)) this.flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.flush());
    }
    return event;
  }

  /** Applies run-row changes that no event carries, in order with pending events. */
  patch(patch: RunPatch): void {
    Object.assign(this.#patch, patch);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.#scheduled = false;
    const batch = this.#pending;
    const patch = this.#patch;
    if (batch.length === 0 && Object.keys(patch).length === 0) return;
    this.#pending = [];
    this.#patch = {};
    this.repos.events.append(
      batch.map((e) => ({
        runId: e.runId,
        seq: e.seq,
        type: e.type,
        payload: transformer.stringify(e),
        at: e.at,
      })),
      this.runId,
      patch,
    );
    for (const event of batch) this.bus.publish(event);
  }
}

function patchFor(event: RunEvent): RunPatch {
  switch (event.type) {
    case 'stage':
      return { stage: event.stage, progress: event.progress };
    case 'completed':
      return { status: 'completed', progress: 100, finishedAt: event.at };
    case 'failed':
      return {
        status: event.error.code === 'INTERRUPTED' ? 'interrupted' : 'failed',
        error: transformer.stringify(event.error),
        finishedAt: event.at,
      };
    case 'cancelled':
      return { status: 'cancelled', finishedAt: event.at };
    default:
      return {};
  }
}

export function titleFromQuery(query: string): string {
  const oneLine = query
    .replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const text = oneLine || query.replace(/\s+/g, ' ').trim() || 'Untitled query';
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

export class RunService {
  readonly #repos: Repositories;
  readonly #registry: DatasetRegistry;
  readonly #bus: EventBus;
  readonly #limits: RunLimits;
  readonly #concurrency: number;
  readonly #log: (message: string, err?: unknown) => void;
  readonly #queue = new FairQueue<QueuedRun>();
  readonly #active = new Map<string, ActiveRun>();
  #closing = false;

  constructor(opts: RunServiceOptions) {
    this.#repos = opts.repos;
    this.#registry = opts.registry;
    this.#bus = opts.bus;
    this.#limits = { maxRows: 1_000, timeoutMs: 30_000, progressMs: 250, ...opts.limits };
    this.#concurrency = Math.max(1, opts.concurrency ?? availableParallelism());
    this.#log = opts.log ?? ((message, err) => console.error(message, err ?? ''));
  }

  get stats() {
    return { queued: this.#queue.length, running: this.#active.size };
  }

  start(
    userId: string,
    input: { query: string; datasetId: string; conversationId?: string | undefined },
  ): { runId: string; conversationId: string } {
    if (this.#closing) throw new ConflictError('The server is shutting down; try again shortly.');
    this.#registry.get(input.datasetId); // throws DATASET_NOT_FOUND for unknown ids
    let conversationId = input.conversationId;
    if (conversationId !== undefined) {
      if (!this.#repos.conversations.byId(userId, conversationId)) {
        throw new NotFoundError('Conversation', conversationId);
      }
    } else {
      conversationId = randomUUID();
      this.#repos.conversations.create({
        id: conversationId,
        userId,
        title: titleFromQuery(input.query),
      });
    }
    const runId = randomUUID();
    this.#repos.runs.create({
      id: runId,
      userId,
      conversationId,
      datasetId: input.datasetId,
      query: input.query,
    });
    this.#repos.messages.append({
      id: randomUUID(),
      conversationId,
      userId,
      role: 'user',
      content: input.query,
      runId,
    });
    const recorder = new RunRecorder(runId, 0, this.#repos, this.#bus);
    // Stored before start() returns, so any subscriber finds at least this event.
    recorder.emit({ type: 'started', query: input.query, datasetId: input.datasetId });
    recorder.flush();
    this.#queue.push({ runId, userId, conversationId, recorder });
    this.#pump();
    return { runId, conversationId };
  }

  /** Ends a queued or running run; a finished run is a ConflictError, never a second end. */
  async cancel(userId: string, runId: string): Promise<{ runId: string; status: RunStatus }> {
    const run = this.getOwned(userId, runId);
    const [queued] = this.#queue.remove((q) => q.runId === runId);
    if (queued) {
      queued.recorder.emit({ type: 'cancelled', reason: 'Cancelled before it started' });
      this.#appendAssistant(run, 'Cancelled before it started.');
      this.#announcePositions();
      return { runId, status: 'cancelled' };
    }
    const active = this.#active.get(runId);
    if (!active) {
      throw new ConflictError(`Run ${runId} has already ended (${run.status}); nothing to cancel.`);
    }
    active.controller.abort('Cancelled by the user');
    await active.done;
    const after = this.#repos.runs.get(runId);
    return { runId, status: after?.status ?? run.status };
  }

  getOwned(userId: string, runId: string): RunRow {
    const run = this.#repos.runs.byId(userId, runId);
    if (!run) throw new NotFoundError('Run', runId);
    return run;
  }

  /**
   * Stored events after `afterSeq`, then live ones, each exactly once and in order; ends after
   * the terminal event. Subscribes to the bus before reading the store so nothing falls between.
   */
  async *stream(runId: string, afterSeq: number, signal?: AbortSignal): AsyncGenerator<RunEvent> {
    const queue = new EventQueue<RunEvent>();
    const unsubscribe = this.#bus.subscribe(runId, (event) => queue.push(event));
    try {
      // Read before the replay: a run that had ended by now has every event in the store, and
      // one that had not will publish its terminal event to the queue subscribed above.
      const endedBefore = isTerminalStatus(this.#repos.runs.get(runId)?.status ?? 'interrupted');
      let last = afterSeq;
      for (const event of this.#backlog(runId, last, Number.POSITIVE_INFINITY)) {
        yield event;
        last = event.seq;
        if (isTerminalEvent(event)) return;
      }
      if (endedBefore) return;
      for await (const event of queue.drain(signal)) {
        if (event.seq <= last) continue; // already replayed from the store
        if (event.seq > last + 1) {
          // Defensive: fill any hole from the store, which holds every published event.
          for (const missed of this.#backlog(runId, last, event.seq - 1)) {
            yield missed;
            last = missed.seq;
          }
        }
        yield event;
        last = event.seq;
        if (isTerminalEvent(event)) return;
      }
    } finally {
      unsubscribe();
    }
  }

  *#backlog(runId: string, afterSeq: number, untilSeq: number): Generator<RunEvent> {
    let last = afterSeq;
    while (last < untilSeq) {
      const rows = this.#repos.events.after(runId, last, BACKLOG_PAGE);
      for (const row of rows) {
        if (row.seq > untilSeq) return;
        yield transformer.parse<RunEvent>(row.payload);
        last = row.seq;
      }
      if (rows.length < BACKLOG_PAGE) return;
    }
  }

  /** Before a conversation is deleted: its queued and running runs end first, as cancelled. */
  async endConversationRuns(conversationId: string): Promise<void> {
    const reason = 'Conversation deleted';
    for (const entry of this.#queue.remove((q) => q.conversationId === conversationId)) {
      entry.recorder.emit({ type: 'cancelled', reason });
    }
    this.#announcePositions();
    const active = [...this.#active.values()].filter((a) => a.conversationId === conversationId);
    for (const run of active) run.controller.abort(reason);
    await Promise.all(active.map((run) => run.done));
  }

  /**
   * At start-up, for the runs an earlier process left unfinished: one that was running ends
   * `interrupted` with a terminal event (its query died with that process); one still waiting
   * never started, so it queues again, in its original order, and runs here.
   */
  recover(): { interrupted: number; requeued: number } {
    const stale = this.#repos.runs.withStatus(['queued', 'running']);
    let interrupted = 0;
    for (const run of stale) {
      const recorder = new RunRecorder(run.id, run.lastSeq, this.#repos, this.#bus);
      if (run.status === 'running') {
        recorder.emit({ type: 'failed', error: interruptedError });
        this.#appendAssistant(run, interruptedError.message);
        interrupted += 1;
      } else {
        this.#queue.push({
          runId: run.id,
          userId: run.userId,
          conversationId: run.conversationId,
          recorder,
        });
      }
    }
    this.#pump();
    return { interrupted, requeued: stale.length - interrupted };
  }

  /**
   * Graceful stop. No run starts from here on; running runs get `graceMs` to finish, and any
   * still running then ends `interrupted`, its terminal event stored. Waiting runs stay
   * `queued` in the store, and the next process to start runs them.
   */
  async shutdown(graceMs = 0): Promise<void> {
    this.#closing = true;
    const active = [...this.#active.values()];
    const settled = Promise.all(active.map((run) => run.done));
    if (graceMs > 0 && active.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([settled, new Promise((r) => (timer = setTimeout(r, graceMs)))]);
      clearTimeout(timer);
    }
    for (const run of this.#active.values()) run.controller.abort(SHUTDOWN_REASON);
    await settled;
    stopSqlWorkers();
  }

  #pump(): void {
    while (!this.#closing && this.#active.size < this.#concurrency && this.#queue.length > 0) {
      const next = this.#queue.shift();
      if (!next) break;
      const controller = new AbortController();
      const active: ActiveRun = {
        runId: next.runId,
        userId: next.userId,
        conversationId: next.conversationId,
        controller,
        done: Promise.resolve(),
      };
      this.#active.set(next.runId, active);
      active.done = this.#execute(next.runId, next.recorder, controller.signal)
        .catch((err: unknown) => this.#log(`run ${next.runId} could not be recorded`, err))
        .finally(() => {
          this.#active.delete(next.runId);
          this.#pump();
        });
    }
    this.#announcePositions();
  }

  /** Tells every waiting run whose place in line changed where it now stands. */
  #announcePositions(): void {
    if (this.#closing) return;
    this.#queue.order().forEach((entry, i) => {
      if (entry.position === i + 1) return;
      entry.position = i + 1;
      entry.recorder.emit({ type: 'queued', position: entry.position });
      // Stored now, so the place in line is known the moment runs.start returns.
      entry.recorder.flush();
    });
  }

  async #execute(runId: string, recorder: RunRecorder, signal: AbortSignal): Promise<void> {
    const run = this.#repos.runs.get(runId);
    if (!run) return;
    recorder.patch({ status: 'running', startedAt: new Date() });
    let result: Result | undefined;
    try {
      result = await runSqlPipeline({
        query: run.query,
        datasetId: run.datasetId,
        registry: this.#registry,
        signal,
        limits: this.#limits,
        emit: (event) => recorder.emit(event),
        finalize: (res) => {
          recorder.patch({ result: transformer.stringify(res) });
          recorder.flush();
          this.#appendAssistant(run, res.summary);
        },
      });
    } catch (err) {
      if (err instanceof RunCancelledError || signal.aborted) {
        if (signal.reason === SHUTDOWN_REASON) {
          recorder.emit({ type: 'failed', error: interruptedError });
          this.#appendAssistant(run, interruptedError.message);
        } else {
          const reason = typeof signal.reason === 'string' ? signal.reason : 'Cancelled';
          recorder.emit({ type: 'cancelled', reason });
          this.#appendAssistant(run, `Cancelled: ${reason}.`);
        }
        return;
      }
      const error = toRunError(err);
      if (error.code === 'INTERNAL') this.#log(`run ${runId} failed with an internal error`, err);
      recorder.emit({ type: 'failed', error });
      this.#appendAssistant(run, error.hint ? `${error.message} ${error.hint}` : error.message);
      return;
    }
    recorder.emit({ type: 'completed', result });
  }

  #appendAssistant(run: RunRow, content: string): void {
    this.#repos.messages.append({
      id: randomUUID(),
      conversationId: run.conversationId,
      userId: run.userId,
      role: 'assistant',
      content,
      runId: run.id,
    });
  }
}
