// @querylane/runs: the run lifecycle with no tRPC and no drivers. Its ports (ports.ts) are what
// adapters implement; everything else here is the domain logic that joins them, plus the
// in-process adapters that need no store (queue, live channel).
export { AsyncQueue } from './async-queue.ts';
export { ConversationService } from './conversations.ts';
export * from './errors.ts';
export { createEventLog } from './event-log.ts';
export { interruptedError, SHUTDOWN_REASON } from './executor.ts';
export { FairQueue } from './fair-queue.ts';
export { MemoryLiveChannel } from './live-channel.ts';
export { MemoryRunQueue } from './memory-queue.ts';
export type * from './ports.ts';
export { patchFor, RunRecorder } from './recorder.ts';
export { LEASE_LOST_REASON, type LeaseTiming } from './scheduler.ts';
export { RunService, type RunServiceOptions, type StartInput } from './service.ts';
export { titleFromQuery } from './titles.ts';
