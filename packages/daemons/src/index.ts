// @querylane/daemons: Debian's PostgreSQL, Redis and HAProxy as child processes on free ports in
// temporary directories, for the tests that need real ones and for `npm run cluster`.
export { MissingServerError } from './debian.ts';
export {
  type Backend,
  type HaproxyOptions,
  type HaproxyServer,
  haproxyConfig,
  startHaproxy,
  upServers,
} from './haproxy.ts';
export { freePort, waitForPort } from './ports.ts';
export { type PostgresServer, startPostgres } from './postgres.ts';
export { type RedisServer, startRedis } from './redis.ts';
