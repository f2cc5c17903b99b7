// Contract suites for the ports: every adapter's tests run the same ones.
export { describeEventLog, type EventLogFixture } from './event-log-contract.ts';
export { eventAt, seedRun, stageEvent } from './fixtures.ts';
export { describeGroupCommit } from './group-commit-contract.ts';
export { describePresence } from './presence-contract.ts';
export {
  describeRunQueue,
  describeSharedRunQueue,
  type QueueFixture,
  queueEntry,
  type SharedQueueFixture,
} from './queue-contract.ts';
export { describeRoomLog, type RoomLogFixture } from './room-log-contract.ts';
export { describeRoomStores } from './rooms-contract.ts';
export { describeStores } from './stores-contract.ts';
export { until } from './until.ts';
