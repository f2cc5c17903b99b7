// @querylane/runs: the run lifecycle and the rooms around it, with no tRPC and no drivers. Its
// ports (ports.ts) are what adapters implement; everything else here is the domain logic that
// joins them, plus the in-process adapters that need no store (queue, channel, presence, ring).
export { Access, type Need } from './access.ts';
export { AsyncQueue } from './async-queue.ts';
export { CommentService, type CommentServiceOptions } from './comments.ts';
export {
  ConversationService,
  type ConversationServiceOptions,
  type ListedConversation,
} from './conversations.ts';
export * from './errors.ts';
export { createEventLog, followByReading } from './event-log.ts';
export { interruptedError, SHUTDOWN_REASON } from './executor.ts';
export { FairQueue } from './fair-queue.ts';
export { Follower, FollowIterator } from './follow.ts';
export { MemoryLiveChannel } from './live-channel.ts';
export { followLog, type LogParts, readLog } from './log-reader.ts';
export { MemoryPresence } from './memory-presence.ts';
export { MemoryRunQueue } from './memory-queue.ts';
export { type Merged, withSignals } from './merge.ts';
export type * from './ports.ts';
export { COMMIT_GAP_MS, patchFor, RunRecorder } from './recorder.ts';
export { RingHistory } from './ring-history.ts';
export type { RoomStreamItem } from './room-stream.ts';
export { RoomService, type RoomServiceOptions, type RoomView } from './rooms.ts';
export { LEASE_LOST_REASON, type LeaseTiming } from './scheduler.ts';
export { createSequencedLog } from './sequenced-log.ts';
export { RunService, type RunServiceOptions, type StartInput } from './service.ts';
export { titleFromQuery } from './titles.ts';
