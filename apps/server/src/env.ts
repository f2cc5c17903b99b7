// The only place this app reads process.env: validated once, with defaults a laptop can run on.
import { randomBytes } from 'node:crypto';
import { availableParallelism, hostname } from 'node:os';
import {
  DEFAULT_RUN_LIMITS,
  DEFAULT_WORKER_MEMORY_BYTES,
  DEFAULT_WORKER_TEMP_BYTES,
  MIN_PROGRESS_MS,
} from '@querylane/engine';
import { z } from 'zod';
import { parseTokens } from './auth.ts';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const flag = z
  .enum(['0', '1', 'true', 'false'])
  .default('0')
  .transform((v) => v === '1' || v === 'true');
const list = z
  .string()
  .max(10_000)
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

export const Env = z
  .object({
    PORT: int(0, 65_535).default(3000),
    HOST: z.string().min(1).max(255).default('127.0.0.1'),
    QUERYLANE_DATA_DIR: z.string().min(1).default('./data'),
    /** `name=/path/a.db,other=/path/b.db`: extra SQLite files, opened read-only. */
    QUERYLANE_DATASETS: z.string().max(10_000).optional(),
    /** Folder of the built SPA; defaults to apps/web/dist. */
    QUERYLANE_WEB_DIST: z.string().min(1).optional(),
    QUERYLANE_MAX_ROWS: int(1, 100_000).default(DEFAULT_RUN_LIMITS.maxRows),
    QUERYLANE_QUERY_TIMEOUT_MS: int(100, 3_600_000).default(DEFAULT_RUN_LIMITS.timeoutMs),
    /** How often a running query may report rows fetched (one `rows` event per interval). */
    QUERYLANE_PROGRESS_MS: int(MIN_PROGRESS_MS, 60_000).default(DEFAULT_RUN_LIMITS.progressMs),
    /** Bytes of values a result keeps; later rows are counted, not kept (`truncated`). */
    QUERYLANE_MAX_RESULT_BYTES: int(1_024, 1024 * 1024 * 1024).default(
      DEFAULT_RUN_LIMITS.maxResultBytes,
    ),
    /** Bytes of one text or blob value in a kept row; a larger one fails RESULT_TOO_LARGE. */
    QUERYLANE_MAX_VALUE_BYTES: int(64, 1024 * 1024 * 1024).default(
      DEFAULT_RUN_LIMITS.maxValueBytes,
    ),
    /** Memory one SQL worker process may reach while it runs a query (RESOURCE_LIMIT past it). */
    QUERYLANE_WORKER_MEMORY_BYTES: int(64 * 1024 * 1024, 64 * 1024 * 1024 * 1024).default(
      DEFAULT_WORKER_MEMORY_BYTES,
    ),
    /** Temporary files one query may hold open (RESOURCE_LIMIT past it). */
    QUERYLANE_WORKER_TEMP_BYTES: int(1024 * 1024, 1024 * 1024 * 1024 * 1024).default(
      DEFAULT_WORKER_TEMP_BYTES,
    ),
    /** Runs executing at once per process; by default one per core. 0 (cluster only): none. */
    QUERYLANE_MAX_CONCURRENT_RUNS: int(0, 1_024).default(availableParallelism()),
    QUERYLANE_MAX_MESSAGE_BYTES: int(1_024, 16 * 1024 * 1024).default(65_536),
    /** Calls one HTTP batch or one WebSocket message may carry (a client reconnecting resends
     * all its subscriptions in one message, so keep it at least QUERYLANE_MAX_SUBSCRIPTIONS_PER_SOCKET). */
    QUERYLANE_MAX_CALLS_PER_BATCH: int(1, 10_000).default(100),
    /** Bytes waiting for a slow client past which its progress events are coalesced. */
    QUERYLANE_WS_SOFT_BUFFER_BYTES: int(1_024, 1024 * 1024 * 1024).default(256 * 1024),
    /** Bytes waiting for a slow client past which its socket is closed (it resumes later). */
    QUERYLANE_WS_HARD_BUFFER_BYTES: int(1_024, 1024 * 1024 * 1024).default(8 * 1024 * 1024),
    QUERYLANE_MAX_SUBSCRIPTIONS_PER_SOCKET: int(1, 100_000).default(100),
    /** On SIGTERM, how long running runs get to finish before they end `interrupted`. */
    QUERYLANE_SHUTDOWN_GRACE_MS: int(0, 600_000).default(10_000),
    QUERYLANE_WS_PING_MS: int(100, 600_000).default(30_000),
    QUERYLANE_WS_PONG_WAIT_MS: int(100, 600_000).default(5_000),
    /** `none`: one local user (loopback only); `token`: QUERYLANE_TOKENS; `jwt`: signed tokens. */
    QUERYLANE_AUTH: z.enum(['none', 'token', 'jwt']).default('none'),
    /** Lets `QUERYLANE_AUTH=none` listen beyond loopback: anyone who reaches it is the admin. */
    QUERYLANE_ALLOW_INSECURE: flag,
    /** `token:userId[:role],…`; never printed, not even in errors about it. */
    QUERYLANE_TOKENS: z.string().max(100_000).optional(),
    QUERYLANE_JWT_SECRET: z.string().min(32, 'use at least 32 characters for HS256').optional(),
    QUERYLANE_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
    QUERYLANE_JWT_ISSUER: z.string().min(1).optional(),
    QUERYLANE_JWT_AUDIENCE: z.string().min(1).optional(),
    /** Origins allowed besides the server's own, for the WebSocket upgrade and CORS; `*` for any. */
    QUERYLANE_ALLOWED_ORIGINS: list.optional(),
    /** Host names the server answers to besides loopback names and IP addresses (DNS rebinding):
     * `querylane.example.com`, `.example.com` for every subdomain, `*` for any. */
    QUERYLANE_ALLOWED_HOSTS: list.optional(),
    QUERYLANE_MAX_CONNECTIONS_PER_USER: int(1, 10_000).default(5),
    QUERYLANE_MAX_CONNECTIONS_PER_IP: int(1, 100_000).default(20),
    QUERYLANE_RUNS_PER_MINUTE: int(1, 100_000).default(600),
    /** Other writing mutations (create, rename, delete, cancel, broadcast) per user and minute. */
    QUERYLANE_WRITES_PER_MINUTE: int(1, 100_000).default(120),
    QUERYLANE_WS_MESSAGES_PER_SECOND: int(1, 100_000).default(100),
    QUERYLANE_AUDIT_MAX_ROWS: int(100, 100_000_000).default(100_000),
    /** Largest the history store may grow; past it runs fail with a clear code, the server stays up. */
    QUERYLANE_STORE_MAX_MB: int(1, 100_000_000).optional(),
    /** How long a store write waits for another process's lock. It blocks the event loop while
     * it waits, so it stays short; writes that find the store busy are retried without blocking. */
    QUERYLANE_STORE_BUSY_TIMEOUT_MS: int(0, 5_000).default(50),
    /** An OpenAI-compatible endpoint for questions the offline translator cannot answer. */
    QUERYLANE_MODEL_URL: z.url({ protocol: /^https?$/ }).optional(),
    QUERYLANE_MODEL: z.string().min(1).max(200).optional(),
    /** Sent as the bearer token; never printed. Local servers (Ollama, llama.cpp) need none. */
    QUERYLANE_MODEL_API_KEY: z.string().min(1).max(4_096).optional(),
    /** One stage's model call (writing the SQL, writing the answer) fails past this. */
    QUERYLANE_MODEL_TIMEOUT_MS: int(1_000, 600_000).default(60_000),
    /** Result rows the model may see when writing an answer; 0 keeps the data from it. */
    QUERYLANE_MODEL_SEND_ROWS: int(0, 1_000).default(20),
    /** Members a shared conversation may hold besides its owner. */
    QUERYLANE_ROOM_MAX_MEMBERS: int(1, 1_000).default(20),
    QUERYLANE_COMMENTS_PER_MINUTE: int(1, 100_000).default(30),
    /**
     * What `admin.restart` does once drained: `self` starts the server again in this process
     * (same pid and port); `exit` exits with code 75 for a supervisor to start it again.
     */
    QUERYLANE_RESTART: z.enum(['self', 'exit']).default('self'),
    // ─── Cluster: both or neither (see the refinement below) ───
    /** History, the run queue and node presence in PostgreSQL: `postgres://user:pass@host/db`. */
    QUERYLANE_DATABASE_URL: z
      .string()
      .max(2_000)
      .regex(/^postgres(ql)?:\/\//, 'a postgres:// or postgresql:// URL')
      .optional(),
    /** Live delivery and the replay window in Redis: `redis://host:6379` (or `rediss://`). */
    QUERYLANE_REDIS_URL: z
      .string()
      .max(2_000)
      .regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL')
      .optional(),
    /** This node's name in the cluster, in /metrics and on the admin page; unique per process. */
    QUERYLANE_NODE_ID: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - (at most 64)')
      .default(
        () =>
          `${hostname()
            .replace(/[^A-Za-z0-9_.-]/g, '-')
            .slice(0, 48)}-${randomBytes(3).toString('hex')}`,
      ),
    /** A run's lease: a node that stops renewing it for this long has its runs ended by others. */
    QUERYLANE_LEASE_MS: int(500, 600_000).default(10_000),
    /** How often each node looks for runs whose lease ran out. */
    QUERYLANE_REAP_INTERVAL_MS: int(50, 600_000).default(2_000),
    /** How often a node looks at the queue without being told (notifications can be lost). */
    QUERYLANE_QUEUE_POLL_MS: int(50, 600_000).default(1_000),
    /** How often a node reports itself; it counts as gone after three missed reports. */
    QUERYLANE_HEARTBEAT_MS: int(100, 600_000).default(2_000),
    QUERYLANE_PG_POOL_SIZE: int(2, 1_000).default(10),
    /** Events a run's Redis stream keeps while it runs (approximately). */
    QUERYLANE_STREAM_MAXLEN: int(100, 10_000_000).default(10_000),
    /** How long an ended run's Redis stream stays for replay (PostgreSQL has it for good). */
    QUERYLANE_STREAM_TTL_SECONDS: int(1, 30 * 86_400).default(600),
    /** npm sets this to the workspace root, also when turbo runs a script inside apps/server;
     * relative paths resolve against it, so `./data` means the repository's data folder. */
    npm_config_local_prefix: z.string().optional(),
  })
  .superRefine((env, ctx) => {
    const issue = (path: string, message: string) =>
      ctx.addIssue({ code: 'custom', path: [path], message });
    if (env.QUERYLANE_AUTH === 'token') {
      if (!env.QUERYLANE_TOKENS) issue('QUERYLANE_TOKENS', 'required when QUERYLANE_AUTH=token');
      else {
        try {
          parseTokens(env.QUERYLANE_TOKENS);
        } catch (err) {
          issue('QUERYLANE_TOKENS', (err as Error).message);
        }
      }
    }
    if ((env.QUERYLANE_MODEL_URL === undefined) !== (env.QUERYLANE_MODEL === undefined)) {
      issue(
        env.QUERYLANE_MODEL_URL ? 'QUERYLANE_MODEL' : 'QUERYLANE_MODEL_URL',
        'QUERYLANE_MODEL_URL and QUERYLANE_MODEL go together',
      );
    }
    const db = env.QUERYLANE_DATABASE_URL !== undefined;
    const redis = env.QUERYLANE_REDIS_URL !== undefined;
    if (db && !redis) {
      issue(
        'QUERYLANE_REDIS_URL',
        'required with QUERYLANE_DATABASE_URL: without it each node delivers events live only ' +
          'to its own clients, so a subscriber on another node would not see a run until it ends ' +
          '(set both for a cluster, or neither for one process on SQLite)',
      );
    }
    if (redis && !db) {
      issue(
        'QUERYLANE_DATABASE_URL',
        'required with QUERYLANE_REDIS_URL: Redis keeps only a trimmed window of recent events, so ' +
          "history would stay in this process's SQLite file, where no other node can find, resume " +
          'or queue a run (set both for a cluster, or neither for one process on SQLite)',
      );
    }
    if (env.QUERYLANE_MAX_CONCURRENT_RUNS === 0 && !db) {
      issue(
        'QUERYLANE_MAX_CONCURRENT_RUNS',
        '0 (run nothing here) only works in a cluster, where other nodes run the queue',
      );
    }
    if (env.QUERYLANE_AUTH === 'jwt') {
      const given = [env.QUERYLANE_JWT_SECRET, env.QUERYLANE_JWKS_URL].filter(Boolean).length;
      if (given !== 1) {
        issue(
          'QUERYLANE_AUTH',
          'jwt needs exactly one of QUERYLANE_JWT_SECRET or QUERYLANE_JWKS_URL',
        );
      }
    }
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
