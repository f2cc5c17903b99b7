// @querylane/bus: the event log's live half across nodes — Redis Streams for the replay window
// and Redis pub/sub for live delivery, behind the LiveChannel port of @querylane/runs.
export { type RedisChannelOptions, RedisLiveChannel } from './channel.ts';
export type { RedisHealthView } from './health.ts';
