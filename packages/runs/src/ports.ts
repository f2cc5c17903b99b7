// The ports of the run lifecycle: what it needs from a store, an event log, a queue and a
// pipeline, as small async interfaces with domain types in and out. Adapters (SQLite and an
// in-process log by default; PostgreSQL and Redis in a cluster) implement them, each with its
// own codec inside; the lifecycle in this package never sees a row, a driver or a transport.
import type {
  AuditKind,
  ChartSpec,
  MessageRole,
  RefusalKind,
  Result,
  RunError,
  RunEvent,
  RunEventInput,
  RunKind,
  RunStatus,
  Stage,
} from '@querylane/contracts';

// ─── Records ────────────────────────────────────────────────────────────────────────────────

export type { RunKind } from '@querylane/contracts';

export interface RunRecord {
  id: string;
  userId: string;
  conversationId: string;
  datasetId: string;
  kind: RunKind;
  /** The SQL (kind `sql`) or the question (kind `question`) as the person wrote it. */
  query: string;
  status: RunStatus;
  stage: Stage | null;
  progress: number;
  /** Seq of the newest stored event; the next event of this run is `lastSeq + 1`. */
  lastSeq: number;
  error: RunError | null;
  /** Whether a result is stored; read it with `RunStore.result` (records never carry it). */
  hasResult: boolean;
  /** The chart its owner chose for the result; null until they choose (the suggestion shows). */
  chart: ChartSpec | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface NewRun {
  id: string;
  userId: string;
  conversationId: string;
  datasetId: string;
  kind: RunKind;
  query: string;
}

/** Changes to a run's state that go with a batch of its events (or stand alone). */
export interface RunPatch {
  status?: RunStatus;
  stage?: Stage | null;
  progress?: number;
  lastSeq?: number;
  error?: RunError | null;
  result?: Result | null;
  startedAt?: Date | null;
  finishedAt?: Date | null;
}

export interface ConversationRecord {
  id: string;
  userId: string;
  title: string;
  /** When its owner pinned it to the top of their list; null when not pinned. */
  pinnedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewConversation {
  id: string;
  userId: string;
  title: string;
}

export interface MessageRecord {
  id: string;
  conversationId: string;
  userId: string;
  role: MessageRole;
  content: string;
  runId: string | null;
  createdAt: Date;
}

export type NewMessage = Omit<MessageRecord, 'createdAt'>;

/** A position in a newest-first listing: continue after this (createdAt, id). */
export interface PageCursor {
  at: number;
  id: string;
}

export interface Page<T, C = PageCursor> {
  items: T[];
  next: C | null;
}

/** A position in a conversation listing (pinned first, then most recently updated). */
export interface ConversationCursor {
  pinnedAt: number | null;
  at: number;
  id: string;
}

// ─── Stores ─────────────────────────────────────────────────────────────────────────────────

export interface RunStore {
  /**
   * Everything `runs.start` writes, in one transaction: the conversation when it is new, the
   * run, the person's message and the run's first events. Fails with `NotFoundError`
   * when `conversationId` names a conversation that no longer exists.
   */
  start(input: {
    conversation?: NewConversation;
    run: NewRun;
    message: NewMessage;
    events: readonly RunEvent[];
  }): Promise<RunRecord>;
  /** Any user's run: for the lifecycle, which owns every run. */
  get(runId: string): Promise<RunRecord | undefined>;
  /** The run only if `userId` owns it. */
  getOwned(userId: string, runId: string): Promise<RunRecord | undefined>;
  /** The stored result of a completed run. */
  result(runId: string): Promise<Result | null>;
  /** Newest first. */
  page(opts: {
    userId: string;
    conversationId?: string;
    limit: number;
    cursor?: PageCursor;
  }): Promise<Page<RunRecord>>;
  patch(runId: string, patch: RunPatch): Promise<void>;
  /** Stores the owner's chart choice (null: back to the suggestion); undefined if not theirs. */
  setChart(userId: string, runId: string, chart: ChartSpec | null): Promise<RunRecord | undefined>;
  /** Runs left `queued` or `running`, oldest first (what a crash or a stop left behind). */
  unfinished(): Promise<RunRecord[]>;
  countByStatus(): Promise<Record<RunStatus, number>>;
}

export interface ConversationStore {
  create(conversation: NewConversation): Promise<ConversationRecord>;
  getOwned(userId: string, conversationId: string): Promise<ConversationRecord | undefined>;
  /**
   * One page of a user's conversations: pinned ones first (most recently pinned first), then
   * the most recently updated. `search` keeps those whose title or any message contains it,
   * ignoring case.
   */
  page(opts: {
    userId: string;
    limit: number;
    cursor?: ConversationCursor;
    search?: string;
  }): Promise<Page<ConversationRecord, ConversationCursor>>;
  /** Pins (as of now) or unpins; undefined when the user has no such conversation. */
  setPinned(
    userId: string,
    conversationId: string,
    pinned: boolean,
  ): Promise<ConversationRecord | undefined>;
  rename(
    userId: string,
    conversationId: string,
    title: string,
  ): Promise<ConversationRecord | undefined>;
  /** With its messages, runs and their events. False when there was nothing to delete. */
  delete(userId: string, conversationId: string): Promise<boolean>;
  /** Appends in order and moves the conversation to the top of its owner's list. */
  appendMessage(message: NewMessage): Promise<MessageRecord>;
  messages(conversationId: string): Promise<MessageRecord[]>;
}

/** One entry of the audit trail: a refusal, or an action that changed or ended something. */
export interface AuditRecord {
  id: number;
  at: Date;
  kind: AuditKind;
  reason: RefusalKind | null;
  /** Who acted or was refused; null when no credentials were accepted. */
  userId: string | null;
  ip: string | null;
  /** The run, conversation or procedure the entry is about. */
  target: string | null;
  detail: Record<string, string | number | boolean | null> | null;
}

export type NewAuditRecord = Omit<AuditRecord, 'id' | 'at'>;

export interface AuditStore {
  append(entry: NewAuditRecord): Promise<AuditRecord>;
  /** Newest first; `beforeId` continues a page. */
  list(opts: {
    limit: number;
    beforeId?: number;
    kind?: AuditKind;
    reason?: RefusalKind;
  }): Promise<AuditRecord[]>;
  /** Keeps the newest `keep` entries; returns how many went. */
  prune(keep: number): Promise<number>;
}

/** A dataset the server offers, as the history records it. */
export interface DatasetEntry {
  id: string;
  name: string;
  kind: 'demo' | 'user';
  path: string;
  tables: string[];
}

/** Everything one history store provides: what an app wires into the services. */
export interface Stores {
  runs: RunStore;
  conversations: ConversationStore;
  history: EventHistory;
  audit: AuditStore;
  /** Records which datasets this server offers (at start-up). */
  recordDatasets(datasets: readonly DatasetEntry[]): Promise<void>;
  close(): Promise<void>;
}

// ─── Event log ──────────────────────────────────────────────────────────────────────────────

/**
 * A run's events: stored before anyone can see them, then delivered live. `read` replays what
 * is stored after `afterSeq` and then tails live events, each exactly once and in `seq` order,
 * with no gap at the seam; it ends after the run's terminal event, or when `signal` aborts.
 * `follow` is the same stream by push, for transports that fan one event out to many sockets.
 */
export interface EventLog {
  /**
   * Stores the events and the run's new state in one transaction, then publishes them. Appends
   * of several runs made in the same tick may share one transaction (group commit); each
   * still succeeds or fails on its own.
   */
  append(runId: string, events: readonly RunEvent[], patch: RunPatch): Promise<void>;
  read(runId: string, afterSeq: number, signal?: AbortSignal): AsyncIterable<RunEvent>;
  /**
   * Hands the run's events after `afterSeq` to `sink`, each once and in order, then `end` after
   * the terminal event (or `fail`). Live events reach the sink inside the publish that stored
   * them, so every follower gets one batch in one synchronous pass. `stop` ends it early.
   */
  follow(runId: string, afterSeq: number, sink: EventSink): { stop(): void };
  /** Subscribers reading live right now (of one run, or in all); for metrics. */
  listenerCount(runId?: string): number;
}

/** Where `EventLog.follow` delivers. */
export interface EventSink {
  event(event: RunEvent): void;
  end(): void;
  fail(cause: unknown): void;
}

/** One run's share of a group commit. */
export interface EventBatch {
  runId: string;
  events: readonly RunEvent[];
  patch: RunPatch;
}

/** The durable half of the default event log: what `read` replays from. */
export interface EventHistory {
  append(runId: string, events: readonly RunEvent[], patch: RunPatch): Promise<void>;
  /** Several runs' batches in one transaction: all are stored, or none is. */
  appendMany(batches: readonly EventBatch[]): Promise<void>;
  /** Up to `limit` stored events with seq above `afterSeq`, in order. */
  after(runId: string, afterSeq: number, limit: number): Promise<RunEvent[]>;
  /** True once the run has a terminal status in the store. */
  ended(runId: string): Promise<boolean>;
}

/** The live half of the default event log: best effort, the history fills any gap. */
export interface LiveChannel {
  publish(runId: string, events: readonly RunEvent[]): void;
  /** Returns the unsubscribe function. */
  subscribe(runId: string, listener: (event: RunEvent) => void): () => void;
  listenerCount(runId?: string): number;
}

// ─── Queue ──────────────────────────────────────────────────────────────────────────────────

export interface QueueEntry {
  runId: string;
  userId: string;
  conversationId: string;
}

/**
 * Runs waiting for a slot. `claim` hands out up to `n` in fair order: round-robin across
 * users, oldest first within a user. Shaped so a SQL queue with leases (`FOR UPDATE SKIP
 * LOCKED`, an expiry, a reaper) can implement it as well as the in-process one.
 */
export interface RunQueue {
  enqueue(entry: QueueEntry): Promise<void>;
  claim(n: number): Promise<QueueEntry[]>;
  /** Takes waiting runs out (a cancel before start, a conversation deleted), in queue order. */
  remove(match: { runId: string } | { conversationId: string }): Promise<QueueEntry[]>;
  /** A claimed run has ended; its slot and lease are free. */
  release(runId: string): Promise<void>;
  /** Every waiting run in the order `claim` would hand them out. */
  waiting(): Promise<QueueEntry[]>;
}

// ─── Pipeline ───────────────────────────────────────────────────────────────────────────────

export interface RunLimits {
  /** Rows kept in a result. */
  maxRows: number;
  /** A run's query fails with TIMEOUT past this. */
  timeoutMs: number;
  /** At most one `rows` event per this many ms while a query streams rows. */
  progressMs: number;
  /** Bytes of values kept in a result; rows past it are counted, not kept (`truncated`). */
  maxResultBytes: number;
  /** Bytes of one text or blob value in a kept row; a larger one fails RESULT_TOO_LARGE. */
  maxValueBytes: number;
}

export interface PipelineInput {
  runId: string;
  userId: string;
  conversationId: string;
  datasetId: string;
  kind: RunKind;
  query: string;
}

export interface PipelineContext {
  /** Records one event; `seq`, `runId` and `at` are stamped by the run's recorder. */
  emit(event: RunEventInput): void;
  /** Aborts on cancel, on shutdown, and when the run can no longer be recorded. */
  signal: AbortSignal;
  limits: RunLimits;
  /** Stores the result; a pipeline calls it in its finalize stage, before it returns. */
  finalize(result: Result): Promise<void>;
}

/**
 * One way of answering a run. Resolves with the result; throws a domain error (mapped by
 * `toRunError`) when the run fails, or `RunCancelledError` once `signal` has aborted.
 */
export interface Pipeline {
  readonly kind: RunKind;
  run(input: PipelineInput, ctx: PipelineContext): Promise<Result>;
}
