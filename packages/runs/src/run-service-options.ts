// What the run service is built from: its stores, queue, pipelines, limits and callbacks,
// passed in by the app (the scheduler reads the same object).
import type { Access } from './access.ts';
import type {
  ConversationStore,
  EventLog,
  Pipeline,
  RoomLog,
  RunLimits,
  RunQueue,
  RunStore,
} from './ports.ts';
import type { LeaseTiming } from './scheduler.ts';

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
