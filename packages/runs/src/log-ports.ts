// The ports of every event log: a durable (or bounded) source, a live channel, and the reader
// that joins them, for runs (one writer, its recorder), rooms and the activity feed (many
// writers, numbered by the history). Re-exported by ports.ts.
import type {
  ActivityEvent,
  ActivityEventInput,
  RoomEvent,
  RoomEventInput,
  RunEvent,
} from '@querylane/contracts';
import type { RunPatch } from './ports.ts';

// ─── Event logs ─────────────────────────────────────────────────────────────────────────────

/** What every log carries: a seq that is contiguous per key (runs and rooms start at 1). */
export interface Sequenced {
  seq: number;
}

/** How a reader wants replayed events. */
export interface ReadOptions {
  /**
   * The reader only sends events on over the wire: a replayed run's `completed` event may carry
   * its result as stored (`Encoded`, typed as the Result it encodes) rather than decoded, so a
   * big result is not decoded and encoded again per reader. Adapters that cannot, ignore it.
   */
  storedResults?: boolean;
}

/** The durable (or bounded) half of a log: what a reader replays before it tails. */
export interface LogSource<E extends Sequenced> {
  /** Up to `limit` stored events of `key` with seq above `afterSeq`, in order. */
  after(key: string, afterSeq: number, limit: number, opts?: ReadOptions): Promise<E[]>;
  /** True once `key` can have no further event (its terminal event is stored, or it is gone). */
  ended(key: string): Promise<boolean>;
}

/** Where a log is followed by push: events in order, then one `end` or one `fail`. */
export interface LogSink<E extends Sequenced> {
  event(event: E): void;
  end(): void;
  fail(cause: unknown): void;
  /** The replay is over (once): what follows comes live. */
  caughtUp?(): void;
}

/** Where `EventLog.follow` delivers. */
export type EventSink = LogSink<RunEvent>;

/** What a live subscriber is told: each event as it is published, and when to look again. */
export interface LiveListener<E extends Sequenced = RunEvent> {
  onEvent(event: E): void;
  /**
   * The channel may have dropped events (it was cut off, or is down): the reader should fill
   * from the store. Called repeatedly while the channel is down and once when it is back.
   */
  onResync?(): void;
}

/** The live half of a log: best effort, the source fills any gap. */
export interface LiveChannel<E extends Sequenced = RunEvent> {
  /**
   * Delivers stored events to every subscriber of the key (on every node sharing the channel).
   * Never rejects: what it cannot deliver now, readers find in the store.
   */
  publish(key: string, events: readonly E[]): void | Promise<void>;
  /**
   * Resolves once the subscription is in place: every event published from then on reaches
   * the listener (or, if the channel fails, a resync does). Resolves with the unsubscribe.
   */
  subscribe(key: string, listener: LiveListener<E>): Promise<() => void>;
  listenerCount(key?: string): number;
  /**
   * Recent events the channel still holds (a replay window), seq above `afterSeq`, in order, at
   * most `limit`. It may start later than asked, have gaps or be empty: the store has the rest.
   */
  recent?(key: string, afterSeq: number, limit: number): Promise<E[]>;
}

/**
 * The read side of every log: `read` replays what is stored after `afterSeq` and then tails
 * live events, each exactly once and in `seq` order, with no gap at the seam; it ends after the
 * key's terminal event, or when `signal` aborts.
 */
export interface LogReader<E extends Sequenced> {
  read(key: string, afterSeq: number, signal?: AbortSignal, opts?: ReadOptions): AsyncIterable<E>;
  /** Subscribers reading live right now (of one key, or in all); for metrics. */
  listenerCount(key?: string): number;
}

/**
 * A run's events: stored before anyone can see them, then delivered live. A run has one writer
 * (its recorder), which numbers the events itself. `follow` is `read` by push, for transports
 * that fan one event out to many sockets.
 */
export interface EventLog extends LogReader<RunEvent> {
  /**
   * Stores the events and the run's new state in one transaction, then publishes them. Appends
   * of several runs made in the same tick may share one transaction (group commit); each still
   * succeeds or fails on its own.
   */
  append(runId: string, events: readonly RunEvent[], patch: RunPatch): Promise<void>;
  /**
   * Hands the run's events after `afterSeq` to `sink`, each once and in order, then `end` after
   * the terminal event (or `fail`). Live events reach the sink inside the publish that stored
   * them, so every follower gets one batch in one synchronous pass. `stop` ends it early.
   */
  follow(runId: string, afterSeq: number, sink: EventSink, opts?: ReadOptions): { stop(): void };
}

/** One run's share of a group commit. */
export interface EventBatch {
  runId: string;
  events: readonly RunEvent[];
  patch: RunPatch;
}

/** The durable half of the default run event log: what `read` replays from. */
export interface EventHistory extends LogSource<RunEvent> {
  /**
   * Stores the events and the run's new state in one transaction, or nothing. Refused when the
   * run has ended (`RunEndedError`), when the first event does not follow the stored `lastSeq`
   * (`SeqConflictError`: another writer got there first), when another node holds the run
   * (`LeaseLostError`, cluster stores), or when the run is gone.
   */
  append(runId: string, events: readonly RunEvent[], patch: RunPatch): Promise<void>;
  /**
   * Several runs' batches in one transaction: all are stored, or none is. Optional: without it
   * each batch is appended on its own.
   */
  appendMany?(batches: readonly EventBatch[]): Promise<void>;
}

/**
 * A log with many writers (everyone in a room, every part of the server): the history numbers
 * each event as it stores it, so concurrent appends never take the same seq.
 */
export interface SequencedHistory<E extends Sequenced, I> extends LogSource<E> {
  /** Stores one event as the key's next seq; resolves with it as readers will see it. */
  append(key: string, input: I): Promise<E>;
  /** Seq of the key's newest event; 0 before the first. A reader from here hears what follows. */
  lastSeq(key: string): Promise<number>;
}

export interface SequencedLog<E extends Sequenced, I> extends LogReader<E> {
  /** Stores, then publishes; resolves with the stored event. */
  append(key: string, input: I): Promise<E>;
  lastSeq(key: string): Promise<number>;
}

/** A room's events, keyed by conversation id; stored with the conversation and gone with it. */
export type RoomHistory = SequencedHistory<RoomEvent, RoomEventInput>;
export type RoomLog = SequencedLog<RoomEvent, RoomEventInput>;

/** The admin's activity feed, under one key; a bounded window of the latest events. */
export type ActivityHistory = SequencedHistory<ActivityEvent, ActivityEventInput>;
export type ActivityLog = SequencedLog<ActivityEvent, ActivityEventInput>;
