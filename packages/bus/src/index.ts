// @querylane/bus: what nodes of a cluster share through Redis — the live half of every log
// (Redis Streams for the replay window, pub/sub for live delivery) behind the LiveChannel port,
// and room presence behind the Presence port of @querylane/runs, over one node's connections.
export { type BusPart, RedisBus, type RedisBusOptions } from './bus.ts';
export { type ChannelOptions, type RedisChannelOptions, RedisLiveChannel } from './channel.ts';
export type { RedisHealthView } from './health.ts';
export { RedisPresence } from './presence.ts';
