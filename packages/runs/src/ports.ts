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
  RoomRole,
  RunError,
  RunEvent,
  RunEventInput,
  RunKind,
  RunStatus,
  Stage,
} from '@querylane/contracts';
import type { Encoded } from '@querylane/contracts/transformer';
import type { EventHistory, RoomHistory } from './log-ports.ts';
import type { CommentStore, RoomStore } from './room-ports.ts';

export type * from './log-ports.ts';
export type * from './queue-ports.ts';
export type * from './room-ports.ts';

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
  /**
   * When its owner pinned it to the top of their list; null when not pinned. In a listing for
   * someone else (a member), their own pin instead.
   */
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
  /**
   * Any user's run: for the lifecycle, which owns every run. Who may see it is decided by
   * `Access` (its owner and everyone in its conversation's room), never by the store.
   */
  get(runId: string): Promise<RunRecord | undefined>;
  /** The stored result of a completed run. */
  result(runId: string): Promise<Result | null>;
  /**
   * The same result in the transformer's text form, as stored, for a reader that sends it on
   * without decoding it (a store that keeps that form implements this; others need not).
   */
  encodedResult?(runId: string): Promise<Encoded<Result> | null>;
  /**
   * Newest first: one user's runs (in one conversation, or in all), or every run of a
   * conversation whoever started it (a shared room's thread).
   */
  page(
    opts: ({ userId: string; conversationId?: string } | { conversationId: string }) & {
      limit: number;
      cursor?: PageCursor;
    },
  ): Promise<Page<RunRecord>>;
  patch(runId: string, patch: RunPatch): Promise<void>;
  /** Stores the owner's chart choice (null: back to the suggestion); undefined if not theirs. */
  setChart(userId: string, runId: string, chart: ChartSpec | null): Promise<RunRecord | undefined>;
  /** Runs left `queued` or `running`, oldest first (what a crash or a stop left behind). */
  unfinished(): Promise<RunRecord[]>;
  countByStatus(): Promise<Record<RunStatus, number>>;
}

export interface ConversationStore {
  create(conversation: NewConversation): Promise<ConversationRecord>;
  /**
   * One page of the conversations a user can open — their own and those shared with them — as
   * they see them: `pinnedAt` is the caller's own pin (an owner's on the conversation, a
   * member's on their membership), `role` their place in its room. Pinned first (most recently
   * pinned first), then the most recently updated. `search` keeps those whose title or any
   * message contains it, ignoring case.
   */
  page(opts: {
    userId: string;
    limit: number;
    cursor?: ConversationCursor;
    search?: string;
  }): Promise<Page<ConversationRecord & { role: RoomRole }, ConversationCursor>>;
  /**
   * Pins (as of now) or unpins, for this user only: its owner's pin, or a member's own.
   * Undefined when the user cannot open such a conversation.
   */
  setPinned(
    userId: string,
    conversationId: string,
    pinned: boolean,
  ): Promise<(ConversationRecord & { role: RoomRole }) | undefined>;
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
  rooms: RoomStore;
  comments: CommentStore;
  /** The durable half of every room's event log. */
  roomHistory: RoomHistory;
  /** Records which datasets this server offers (at start-up). */
  recordDatasets(datasets: readonly DatasetEntry[]): Promise<void>;
  close(): Promise<void>;
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
