// The server's one typed config, built once from the environment: where things live, the run
// limits, the security settings (who may call, from where, and how much), and whether this
// process is a node of a cluster.
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Restarter, StreamLimits } from '@querylane/api';
import { type DatasetSpec, type ModelConfig, parseDatasetsSpec } from '@querylane/engine';
import { type AuthConfig, isLoopbackHost, parseTokens } from './auth.ts';
import type { Env } from './env.ts';

export interface SecurityConfig {
  auth: AuthConfig;
  /** Lets `auth: none` listen beyond loopback. */
  allowInsecure: boolean;
  /** Origins besides the server's own; `*` for any. */
  allowedOrigins: string[];
  /** Host names clients may address the server by, besides loopback names and IP addresses. */
  allowedHosts: string[];
  /** WebSockets one user may hold at once (authentication on). */
  maxConnectionsPerUser: number;
  /** WebSockets one client address may hold at once. */
  maxConnectionsPerIp: number;
  /** `runs.start` per user and minute. */
  runsPerMinute: number;
  /** Other mutations that write (create, rename, delete, cancel, broadcast) per user and minute. */
  writesPerMinute: number;
  /** Calls one socket may make per second on average (bursts of twice that). */
  wsMessagesPerSecond: number;
  /** Calls in one HTTP batch or one WebSocket message. */
  maxCallsPerBatch: number;
  /** Newest audit rows kept. */
  auditMaxRows: number;
}

/** Everything the server takes, complete: built once from the environment (`configFromEnv`). */
export interface ServerConfig {
  port: number;
  host: string;
  dataDir: string;
  /** User datasets, paths resolved. */
  datasets: DatasetSpec[];
  /** Folder of the built SPA. */
  webDist: string;
  maxRows: number;
  queryTimeoutMs: number;
  progressMs: number;
  maxResultBytes: number;
  maxValueBytes: number;
  workerMemoryBytes: number;
  workerTempBytes: number;
  maxConcurrentRuns: number;
  maxMessageBytes: number;
  streamLimits: StreamLimits;
  pingMs: number;
  pongWaitMs: number;
  /** On close, how long running runs get to finish before they end `interrupted`. */
  shutdownGraceMs: number;
  /** The history store: its size cap (null: the disk's) and how long a write waits for a lock. */
  store: { maxBytes: number | null; busyTimeoutMs: number };
  version: string;
  log: (message: string, err?: unknown) => void;
  /** Authentication, origins, hosts and limits. */
  security: SecurityConfig;
  /** Members a shared conversation may hold besides its owner. */
  roomMaxMembers: number;
  /** `comments.add` per user and minute. */
  commentsPerMinute: number;
  /** What `admin.restart` does once drained (see main.ts). */
  restartMode: Restarter['mode'];
  /**
   * Called (once) when an admin asks for a restart; the caller drains this server and starts
   * the next. Without it, `admin.restart` is refused: nothing would start the server again.
   */
  onRestart?: (by: string) => void;
  /** The model for questions the offline translator does not answer; none: refuse them. */
  model?: ModelConfig;
  /** This process's name: in /metrics, on the admin page, on the runs it holds. */
  nodeId: string;
  /** A node of a cluster (PostgreSQL + Redis), or null for one process on SQLite. */
  cluster: ClusterConfig | null;
}

/** The settings of a node of a cluster (both URLs given). */
export interface ClusterConfig {
  databaseUrl: string;
  redisUrl: string;
  poolSize: number;
  /** A run's lease; a node that stops renewing it for this long has its runs ended by others. */
  leaseMs: number;
  /** How often each node looks for runs whose lease ran out. */
  reapMs: number;
  /** How often a node looks at the queue without being told. */
  pollMs: number;
  /** How often a node reports itself; gone after three missed reports. */
  heartbeatMs: number;
  /** Entries a run's Redis stream keeps while it runs. */
  streamMaxLen: number;
  /** How long an ended run's Redis stream stays for replay. */
  streamTtlMs: number;
}

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };
const defaultWebDist = fileURLToPath(new URL('../../web/dist', import.meta.url));

export function securityFromEnv(env: Env): SecurityConfig {
  let auth: AuthConfig;
  if (env.QUERYLANE_AUTH === 'token') {
    auth = { mode: 'token', tokens: parseTokens(env.QUERYLANE_TOKENS ?? '') };
  } else if (env.QUERYLANE_AUTH === 'jwt') {
    auth = {
      mode: 'jwt',
      secret: env.QUERYLANE_JWT_SECRET,
      jwksUrl: env.QUERYLANE_JWKS_URL,
      issuer: env.QUERYLANE_JWT_ISSUER,
      audience: env.QUERYLANE_JWT_AUDIENCE,
    };
  } else {
    auth = { mode: 'none' };
  }
  return {
    auth,
    allowInsecure: env.QUERYLANE_ALLOW_INSECURE,
    allowedOrigins: env.QUERYLANE_ALLOWED_ORIGINS ?? [],
    allowedHosts: env.QUERYLANE_ALLOWED_HOSTS ?? [],
    maxConnectionsPerUser: env.QUERYLANE_MAX_CONNECTIONS_PER_USER,
    maxConnectionsPerIp: env.QUERYLANE_MAX_CONNECTIONS_PER_IP,
    runsPerMinute: env.QUERYLANE_RUNS_PER_MINUTE,
    writesPerMinute: env.QUERYLANE_WRITES_PER_MINUTE,
    wsMessagesPerSecond: env.QUERYLANE_WS_MESSAGES_PER_SECOND,
    maxCallsPerBatch: env.QUERYLANE_MAX_CALLS_PER_BATCH,
    auditMaxRows: env.QUERYLANE_AUDIT_MAX_ROWS,
  };
}

export function configFromEnv(env: Env): ServerConfig {
  const base = env.npm_config_local_prefix ?? process.cwd();
  return {
    port: env.PORT,
    host: env.HOST,
    dataDir: resolve(base, env.QUERYLANE_DATA_DIR),
    datasets: parseDatasetsSpec(env.QUERYLANE_DATASETS).map((d) => ({
      id: d.id,
      path: resolve(base, d.path),
    })),
    webDist: env.QUERYLANE_WEB_DIST ? resolve(base, env.QUERYLANE_WEB_DIST) : defaultWebDist,
    maxRows: env.QUERYLANE_MAX_ROWS,
    queryTimeoutMs: env.QUERYLANE_QUERY_TIMEOUT_MS,
    progressMs: env.QUERYLANE_PROGRESS_MS,
    maxResultBytes: env.QUERYLANE_MAX_RESULT_BYTES,
    maxValueBytes: env.QUERYLANE_MAX_VALUE_BYTES,
    workerMemoryBytes: env.QUERYLANE_WORKER_MEMORY_BYTES,
    workerTempBytes: env.QUERYLANE_WORKER_TEMP_BYTES,
    maxConcurrentRuns: env.QUERYLANE_MAX_CONCURRENT_RUNS,
    maxMessageBytes: env.QUERYLANE_MAX_MESSAGE_BYTES,
    streamLimits: {
      softBufferBytes: env.QUERYLANE_WS_SOFT_BUFFER_BYTES,
      hardBufferBytes: env.QUERYLANE_WS_HARD_BUFFER_BYTES,
      maxSubscriptionsPerSocket: env.QUERYLANE_MAX_SUBSCRIPTIONS_PER_SOCKET,
    },
    pingMs: env.QUERYLANE_WS_PING_MS,
    pongWaitMs: env.QUERYLANE_WS_PONG_WAIT_MS,
    shutdownGraceMs: env.QUERYLANE_SHUTDOWN_GRACE_MS,
    store: {
      maxBytes:
        env.QUERYLANE_STORE_MAX_MB === undefined ? null : env.QUERYLANE_STORE_MAX_MB * 1024 * 1024,
      busyTimeoutMs: env.QUERYLANE_STORE_BUSY_TIMEOUT_MS,
    },
    roomMaxMembers: env.QUERYLANE_ROOM_MAX_MEMBERS,
    commentsPerMinute: env.QUERYLANE_COMMENTS_PER_MINUTE,
    restartMode: env.QUERYLANE_RESTART,
    nodeId: env.QUERYLANE_NODE_ID,
    cluster:
      env.QUERYLANE_DATABASE_URL && env.QUERYLANE_REDIS_URL
        ? {
            databaseUrl: env.QUERYLANE_DATABASE_URL,
            redisUrl: env.QUERYLANE_REDIS_URL,
            poolSize: env.QUERYLANE_PG_POOL_SIZE,
            leaseMs: env.QUERYLANE_LEASE_MS,
            reapMs: env.QUERYLANE_REAP_INTERVAL_MS,
            pollMs: env.QUERYLANE_QUEUE_POLL_MS,
            heartbeatMs: env.QUERYLANE_HEARTBEAT_MS,
            streamMaxLen: env.QUERYLANE_STREAM_MAXLEN,
            streamTtlMs: env.QUERYLANE_STREAM_TTL_SECONDS * 1000,
          }
        : null,
    version,
    log: (message, err) => console.error(message, err ?? ''),
    security: securityFromEnv(env),
    ...(env.QUERYLANE_MODEL_URL && env.QUERYLANE_MODEL
      ? {
          model: {
            url: env.QUERYLANE_MODEL_URL,
            model: env.QUERYLANE_MODEL,
            ...(env.QUERYLANE_MODEL_API_KEY ? { apiKey: env.QUERYLANE_MODEL_API_KEY } : {}),
            stageTimeoutMs: env.QUERYLANE_MODEL_TIMEOUT_MS,
            sendRows: env.QUERYLANE_MODEL_SEND_ROWS,
          },
        }
      : {}),
  };
}

/** Without authentication the server is everyone's admin, so it stays on loopback unless told. */
export function assertSafeBinding(host: string, security: SecurityConfig): void {
  if (security.auth.mode !== 'none' || security.allowInsecure || isLoopbackHost(host)) return;
  throw new Error(
    `Refusing to listen on ${host} without authentication: anyone who can reach it would be the ` +
      'admin. Set QUERYLANE_AUTH=token or jwt, or QUERYLANE_ALLOW_INSECURE=1 to accept that.',
  );
}
