// A node-redis client as the channel uses it: commands fail at once while disconnected (a run
// never waits for Redis), pings find a dead connection, and reconnects never give up.
import { createClient } from 'redis';

export function redisClient(url: string) {
  return createClient({
    url,
    disableOfflineQueue: true,
    pingInterval: 2_000,
    socket: {
      connectTimeout: 2_000,
      reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, 1_000),
    },
  });
}

export type RedisClient = ReturnType<typeof redisClient>;

/** The URL without its password, for messages. */
export function describe(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the configured URL';
  }
}
