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
   * when `conversationId` names a conversation that no longer exists. A store that also keeps
   * the run queue (PostgreSQL) puts the run in line in the same transaction, so no crash can
   * leave a run `queued` that no queue knows of; `RunQueue.enqueue` then finds it there.
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
 */
export interface EventLog {
  /** Stores the events and the run's new state in one transaction, then publishes them. */
  append(runId: string, events: readonly RunEvent[], patch: RunPatch): Promise<void>;
  read(runId: string, afterSeq: number, signal?: AbortSignal): AsyncIterable<RunEvent>;
  /** Subscribers reading live right now (of one run, or in all); for metrics. */
  listenerCount(runId?: string): number;
}

/** The durable half of the default event log: what `read` replays from. */
export interface EventHistory {
  /**
   * Stores the events and the run's new state in one transaction, or nothing. Refused when the
   * run has ended (`RunEndedError`), when the first event does not follow the stored `lastSeq`
   * (`SeqConflictError`: another writer got there first), when another node holds the run
   * (`LeaseLostError`, cluster stores), or when the run is gone.
   */
  append(runId: string, events: readonly RunEvent[], patch: RunPatch): Promise<void>;
  /** Up to `limit` stored events with seq above `afterSeq`, in order. */
  after(runId: string, afterSeq: number, limit: number): Promise<RunEvent[]>;
  /** True once the run has a terminal status in the store. */
  ended(runId: string): Promise<boolean>;
}

/** What a live subscriber is told: each event as it is published, and when to look again. */
export interface LiveListener {
  onEvent(event: RunEvent): void;
  /**
   * The channel may have dropped events (it was cut off, or is down): the reader should fill
   * from the history. Called repeatedly while the channel is down and once when it is back.
   */
  onResync?(): void;
}

/** The live half of the default event log: best effort, the history fills any gap. */
export interface LiveChannel {
  /**
   * Delivers stored events to every subscriber of the run (on every node sharing the channel).
   * Never rejects: what it cannot deliver now, readers find in the history.
   */
  publish(runId: string, events: readonly RunEvent[]): void | Promise<void>;
  /**
   * Resolves once the subscription is in place: every event published from then on reaches
   * the listener (or, if the channel fails, a resync does). Resolves with the unsubscribe.
   */
  subscribe(runId: string, listener: LiveListener): Promise<() => void>;
  listenerCount(runId?: string): number;
  /**
   * Recent events the channel still holds (a replay window), seq above `afterSeq`, in order, at
   * most `limit`. It may start later than asked, have gaps or be empty: the history has the rest.
   */
  recent?(runId: string, afterSeq: number, limit: number): Promise<RunEvent[]>;
}

// ─── Queue ──────────────────────────────────────────────────────────────────────────────────

export interface QueueEntry {
  runId: string;
  userId: string;
  conversationId: string;
}

/** What the nodes sharing a queue tell each other. */
export type QueueSignal =
  /** Work may be waiting, or the line moved: claim again, and announce places again. */
  | { type: 'changed' }
  /** The node holding `runId` is asked to abort it (a cancel that reached another node). */
  | { type: 'abort'; runId: string; reason: string };

/**
 * Runs waiting for a slot. `claim` hands out up to `n` in fair order: round-robin across
 * users, oldest first within a user. A claim is a lease that the claiming node renews while the
 * run executes; a queue shared by several nodes (PostgreSQL) lets a surviving node take over
 * the runs of one that stopped renewing, to end them. The in-process queue has no peers: its
 * leases never lapse and it has nobody to signal.
 */
export interface RunQueue {
  /** Puts a run in line; a run already in line stays where it is. */
  enqueue(entry: QueueEntry): Promise<void>;
  /** Up to `n` waiting runs, now held by this node. */
  claim(n: number): Promise<QueueEntry[]>;
  /** Takes waiting runs out (a cancel before start, a conversation deleted), in queue order. */
  remove(match: { runId: string } | { conversationId: string }): Promise<QueueEntry[]>;
  /** A run held here has ended; its slot and lease are free. */
  release(runId: string): Promise<void>;
  /** Every waiting run in the order `claim` would hand them out. */
  waiting(): Promise<QueueEntry[]>;
  /** Extends the leases of runs held here; returns those among them this node no longer holds. */
  renew(runIds: readonly string[]): Promise<string[]>;
  /**
   * Up to `limit` runs whose lease ran out (their node died or stalled), now held by this node so
   * that it ends them (`interrupted`) and releases them. Never the same run to two nodes.
   */
  expired(limit: number): Promise<QueueEntry[]>;
  /** Asks the nodes holding the matching runs to abort them; returns the run ids asked about. */
  abort(match: { runId: string } | { conversationId: string }, reason: string): Promise<string[]>;
  /** Signals from the other nodes sharing this queue; returns the unsubscribe function. */
  watch(listener: (signal: QueueSignal) => void): () => void;
  /** Whether this node tells waiting runs their place in line (one node at a time does). */
  announces(): Promise<boolean>;
  /**
   * Whether other processes share this queue. Then what is left unfinished at start belongs to
   * the cluster, not to a process that died: leases, not start-up recovery, end those runs.
   */
  readonly shared: boolean;
}

// ─── Presence ───────────────────────────────────────────────────────────────────────────────

/** One node of a cluster as it last reported itself. */
export interface NodeReport {
  nodeId: string;
  startedAt: Date;
  seenAt: Date;
  /** False once its heartbeat is overdue: it stopped or died (listed a while, then dropped). */
  alive: boolean;
  /** What the node said about itself (validated by whoever reads it). */
  report: unknown;
}

/** Which nodes are up and what they report: live state, not history. */
export interface Presence {
  /** Records this node as alive with its report; it counts as gone after `ttlMs` without one. */
  heartbeat(node: {
    nodeId: string;
    startedAt: Date;
    report: unknown;
    ttlMs: number;
  }): Promise<void>;
  /** Nodes alive now, then those gone recently; oldest first within each. */
  list(): Promise<NodeReport[]>;
  /** A node that stops leaves at once, rather than when its heartbeat runs out. */
  leave(nodeId: string): Promise<void>;
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
