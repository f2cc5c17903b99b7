// Hosts Querylane on one port: tRPC over HTTP and WebSocket at /trpc, the SPA everywhere else.
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appRouter, createServices, type Services, type StreamLimits } from '@querylane/api';
import {
  createSqlPipeline,
  DatasetRegistry,
  type DatasetSpec,
  parseDatasetsSpec,
  SqlWorkerPool,
} from '@querylane/engine';
import type { Stores } from '@querylane/runs';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { WebSocketServer } from 'ws';
import { type ClusterConfig, openBackend } from './backend.ts';
import { ConnectionRegistry } from './connections.ts';
import type { Env } from './env.ts';
import { createCsvExport } from './export.ts';
import { assertSafeBinding, Gate, type SecurityConfig, securityFromEnv } from './gate.ts';
import { retryAfterMeta } from './limits.ts';
import { createStaticHandler } from './static.ts';

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
  version: string;
  log: (message: string, err?: unknown) => void;
  /** Authentication, origins and limits. */
  security: SecurityConfig;
  /** This process's name: in /metrics, on the admin page, on the runs it holds. */
  nodeId: string;
  /** A node of a cluster (PostgreSQL + Redis), or null for one process on SQLite. */
  cluster: ClusterConfig | null;
}

export interface RunningServer {
  url: string;
  port: number;
  services: Services;
  stores: Stores;
  /** One line on where history and live events are kept. */
  backend: string;
  /** The WebSocket server, for connection counts and tests that drop sockets. */
  wss: WebSocketServer;
  connections: ConnectionRegistry;
  gate: Gate;
  /** The SQL worker processes of this server. */
  pool: SqlWorkerPool;
  /**
   * Graceful stop: clients told to reconnect, no new connections or runs, running runs get
   * `shutdownGraceMs` to finish and then end `interrupted`, waiting runs stay queued for the
   * next process, store closed.
   */
  close(): Promise<void>;
}

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };
const defaultWebDist = fileURLToPath(new URL('../../web/dist', import.meta.url));

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
    version,
    log: (message, err) => console.error(message, err ?? ''),
    security: securityFromEnv(env),
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
  };
}

export async function startServer(config: ServerConfig): Promise<RunningServer> {
  const { log, security } = config;
  assertSafeBinding(config.host, security);
  const historyPath = join(config.dataDir, 'querylane.db');
  const registry = await DatasetRegistry.open({
    dataDir: config.dataDir,
    datasets: config.datasets,
    // The history store holds every user's runs: it must never be a dataset anyone can query.
    forbiddenPaths: [historyPath],
  });
  const backend = await openBackend({
    historyPath,
    nodeId: config.nodeId,
    cluster: config.cluster,
    log,
  });
  const { stores } = backend;
  await stores.recordDatasets(
    registry.list().map(({ id, name, kind, tables }) => ({
      id,
      name,
      kind,
      tables,
      path: registry.get(id).path,
    })),
  );
  // One warm worker per run slot, so no admitted run waits for a fork.
  const pool = new SqlWorkerPool({
    size: config.maxConcurrentRuns,
    memoryLimitBytes: config.workerMemoryBytes,
    tempLimitBytes: config.workerTempBytes,
    log,
  });
  const connections = new ConnectionRegistry({
    hardBufferBytes: config.streamLimits.hardBufferBytes,
    onOverflow: (connection) => {
      services.streamStats.overflowCloses += 1;
      const actor = { userId: connection.identity?.userId ?? null, ip: connection.ip };
      services.audit.refused('slow_consumer', actor, {
        detail: { hardBufferBytes: services.streamLimits.hardBufferBytes },
      });
    },
  });
  const services = createServices({
    stores,
    pipelines: [createSqlPipeline({ registry, pool })],
    datasets: registry,
    config: {
      limits: {
        maxRows: config.maxRows,
        timeoutMs: config.queryTimeoutMs,
        progressMs: config.progressMs,
        maxResultBytes: config.maxResultBytes,
        maxValueBytes: config.maxValueBytes,
      },
      concurrency: config.maxConcurrentRuns,
      streamLimits: config.streamLimits,
      runsPerMinute: security.runsPerMinute,
      auditMaxRows: security.auditMaxRows,
      authMode: security.auth.mode,
      version: config.version,
      nodeId: config.nodeId,
      heartbeatMs: config.cluster?.heartbeatMs ?? 2_000,
      ...(backend.leases ? { leases: backend.leases } : {}),
    },
    ...(backend.live ? { live: backend.live } : {}),
    ...(backend.queue ? { queue: backend.queue } : {}),
    ...(backend.presence ? { presence: backend.presence } : {}),
    ...(backend.redisHealth ? { redisHealth: backend.redisHealth } : {}),
    connections,
    workers: pool,
    log,
  });
  const recovered = await services.runs.recover();
  if (recovered.interrupted > 0) {
    log(
      config.cluster
        ? `marked ${recovered.interrupted} run(s) of nodes that stopped renewing their leases as interrupted`
        : `marked ${recovered.interrupted} run(s) cut off in an earlier process as interrupted`,
    );
  }
  if (recovered.requeued > 0) {
    log(`queued ${recovered.requeued} run(s) an earlier process left waiting`);
  }

  const maxBodySize = config.maxMessageBytes;
  const gate = new Gate({ security, services, connections, maxMessageBytes: maxBodySize, log });
  const trpcHttp = createHTTPHandler({
    router: appRouter,
    createContext: ({ req }) => gate.httpContext(req),
    basePath: '/trpc/',
    maxBodySize,
    responseMeta: retryAfterMeta,
    onError({ error, path, req, ctx }) {
      gate.onHttpError(error, req, ctx);
      if (error.code === 'INTERNAL_SERVER_ERROR') log(`tRPC ${path ?? '?'} failed`, error);
    },
  });
  const serveSpa = createStaticHandler(config.webDist);
  // A whole result re-runs the query: it gets the query time limit ten times over.
  const csvExport = createCsvExport({
    gate,
    services,
    datasets: registry,
    timeoutMs: config.queryTimeoutMs * 10,
    log,
  });

  // Which node answered: behind a balancer, for operators and for tests that follow clients.
  const nodeHeader = ['x-querylane-node', config.nodeId] as const;
  const server: Server = createServer((req, res) => {
    res.setHeader(...nodeHeader);
    if (gate.handleHttp(req, res)) return;
    const url = req.url ?? '/';
    const exportRunId = csvExport.match(url);
    if (url === '/trpc' || url.startsWith('/trpc/') || url.startsWith('/trpc?')) {
      trpcHttp(req, res);
    } else if (exportRunId) {
      csvExport.serve(req, res, exportRunId);
    } else {
      serveSpa(req, res);
    }
  });
  server.keepAliveTimeout = 65_000;
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  const wss = new WebSocketServer({
    server,
    path: '/trpc',
    maxPayload: maxBodySize,
    verifyClient: gate.verifyUpgrade,
  });
  wss.on('error', (err) => log('websocket server error', err));
  wss.on('connection', gate.onSocket);
  wss.on('headers', (headers) => headers.push(`${nodeHeader[0]}: ${nodeHeader[1]}`));
  const wssHandler = applyWSSHandler({
    wss,
    router: appRouter,
    createContext: ({ req, res, info }) => gate.socketContext(res, req, info.connectionParams),
    keepAlive: {
      enabled: true,
      pingMs: config.pingMs,
      pongWaitMs: config.pongWaitMs,
    },
    onError({ error, path }) {
      if (error.code === 'INTERNAL_SERVER_ERROR') log(`tRPC ws ${path ?? '?'} failed`, error);
    },
  });

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(config.port, config.host, () => {
      server.off('error', fail);
      ok();
    });
  });
  const { port } = server.address() as AddressInfo;
  await services.nodes.start();
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      wssHandler.broadcastReconnectNotification();
      const httpClosed = new Promise<void>((ok) => server.close(() => ok()));
      await services.runs.shutdown(config.shutdownGraceMs);
      for (const client of wss.clients) client.close(1012, 'Server restarting');
      await new Promise<void>((ok) => wss.close(() => ok()));
      server.closeAllConnections();
      await httpClosed;
      await services.audit.settled();
      await services.nodes.stop();
      await pool.close();
      registry.close();
      await backend.close();
    })();
    return closing;
  };

  return {
    url: `http://${host}:${port}`,
    port,
    services,
    stores,
    backend: backend.describe,
    wss,
    connections,
    gate,
    pool,
    close,
  };
}
