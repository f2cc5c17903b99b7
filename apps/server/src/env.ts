// The only place this app reads process.env: validated once, with defaults a laptop can run on.
import { z } from 'zod';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const Env = z.object({
  PORT: int(0, 65_535).default(3000),
  HOST: z.string().min(1).max(255).default('127.0.0.1'),
  QUERYLANE_DATA_DIR: z.string().min(1).default('./data'),
  /** `name=/path/a.db,other=/path/b.db`: extra SQLite files, opened read-only. */
  QUERYLANE_DATASETS: z.string().max(10_000).optional(),
  /** Folder of the built SPA; defaults to apps/web/dist. */
  QUERYLANE_WEB_DIST: z.string().min(1).optional(),
  QUERYLANE_MAX_ROWS: int(1, 100_000).default(1_000),
  QUERYLANE_QUERY_TIMEOUT_MS: int(100, 3_600_000).default(30_000),
  /** How often a running query may report rows fetched (one `rows` event per interval). */
  QUERYLANE_PROGRESS_MS: int(0, 60_000).default(250),
  QUERYLANE_MAX_CONCURRENT_RUNS: int(1, 1_024).optional(),
  QUERYLANE_MAX_MESSAGE_BYTES: int(1_024, 16 * 1024 * 1024).default(1024 * 1024),
  /** Bytes waiting for a slow client past which its progress events are coalesced. */
  QUERYLANE_WS_SOFT_BUFFER_BYTES: int(1_024, 1024 * 1024 * 1024).default(256 * 1024),
  /** Bytes waiting for a slow client past which its socket is closed (it resumes later). */
  QUERYLANE_WS_HARD_BUFFER_BYTES: int(1_024, 1024 * 1024 * 1024).default(8 * 1024 * 1024),
  QUERYLANE_MAX_SUBSCRIPTIONS_PER_SOCKET: int(1, 100_000).default(100),
  /** On SIGTERM, how long running runs get to finish before they end `interrupted`. */
  QUERYLANE_SHUTDOWN_GRACE_MS: int(0, 600_000).default(10_000),
  QUERYLANE_WS_PING_MS: int(100, 600_000).default(30_000),
  QUERYLANE_WS_PONG_WAIT_MS: int(100, 600_000).default(5_000),
  /** npm sets this to the workspace root, also when turbo runs a script inside apps/server;
   * relative paths resolve against it, so `./data` means the repository's data folder. */
  npm_config_local_prefix: z.string().optional(),
});
export type Env = z.infer<typeof Env>;

export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = Env.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
