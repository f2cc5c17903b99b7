// Hosts Querylane on one port: tRPC over HTTP and WebSocket at /trpc, the SPA everywhere else.
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  appRouter,
  createServices,
  defaultStreamLimits,
  type Services,
  type StreamLimits,
} from '@querylane/api';
import { openStore, type Store } from '@querylane/db';
import { DatasetRegistry, parseDatasetsSpec } from '@querylane/engine';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { WebSocketServer } from 'ws';
import { ConnectionRegistry } from './connections.ts';
import type { Env } from './env.ts';
import {
  assertSafeBinding,
  defaultSecurity,
  Gate,
  type SecurityConfig,
  securityFromEnv,
} from './gate.ts';
import { retryAfterMeta } from './limits.ts';
import { createStaticHandler } from './static.ts';

export interface ServerConfig {
  port: number;
  host: string;
  dataDir: string;
  datasets?: string | undefined;
  webDist?: string | undefined;
  maxRows?: number;
  queryTimeoutMs?: number;
  progressMs?: number;
  maxConcurrentRuns?: number | undefined;
  maxMessageBytes?: number;
  streamLimits?: Partial<StreamLimits>;
  pingMs?: number;
  pongWaitMs?: number;
  /** On close, how long running runs get to finish before they end `interrupted`. Default 0. */
  shutdownGraceMs?: number;
  version?: string;
  log?: (message: string, err?: unknown) => void;
  /** Authentication, origins and limits; defaults in gate.ts. */
  security?: Partial<SecurityConfig>;
}

export interface RunningServer {
  url: string;
  port: number;
  services: Services;
  store: Store;
  /** The WebSocket server, for connection counts and tests that drop sockets. */
  wss: WebSocketServer;
  connections: ConnectionRegistry;
  /**
   * Graceful stop: clients told to reconnect, no new connections or runs, running runs get
   * `shutdownGraceMs` to finish and then end `interrupted`, waiting runs stay queued for the
   * next process, store closed.
   */
  gate: Gate;
  close(): Promise<void>;
}

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };
const defaultWebDist = fileURLToPath(new URL('../../web/dist', import.meta.url));

export function configFromEnv(env: Env): ServerConfig {
  const base = env.npm_config_local_prefix ?? process.cwd();
  const datasets = env.QUERYLANE_DATASETS
    ? parseDatasetsSpec(env.QUERYLANE_DATASETS)
        .map((d) => `${d.id}=${resolve(base, d.path)}`)
        .join(',')
    : undefined;
  return {
    port: env.PORT,
    host: env.HOST,
    dataDir: resolve(base, env.QUERYLANE_DATA_DIR),
    datasets,
    webDist: env.QUERYLANE_WEB_DIST ? resolve(base, env.QUERYLANE_WEB_DIST) : undefined,
    maxRows: env.QUERYLANE_MAX_ROWS,
    queryTimeoutMs: env.QUERYLANE_QUERY_TIMEOUT_MS,
    progressMs: env.QUERYLANE_PROGRESS_MS,
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
    security: securityFromEnv(env),
  };
}

export async function startServer(config: ServerConfig): Promise<RunningServer> {
  const log = config.log ?? ((message, err) => console.error(message, err ?? ''));
  const security = { ...defaultSecurity, ...config.security };
  assertSafeBinding(config.host, security);
  const registry = await DatasetRegistry.open({
    dataDir: config.dataDir,
    datasets: config.datasets ? parseDatasetsSpec(config.datasets) : [],
  });
  const store = openStore(join(config.dataDir, 'querylane.db'));
  const connections = new ConnectionRegistry({
    hardBufferBytes: config.streamLimits?.hardBufferBytes ?? defaultStreamLimits.hardBufferBytes,
    onOverflow: (connection) => {
      services.streamStats.overflowCloses += 1;
      const actor = { userId: connection.identity?.userId ?? null, ip: connection.ip };
      services.audit.refused('slow_consumer', actor, {
        detail: { hardBufferBytes: services.streamLimits.hardBufferBytes },
      });
    },
  });
  const services = createServices({
    store,
    registry,
    limits: {
      ...(config.maxRows ? { maxRows: config.maxRows } : {}),
      ...(config.queryTimeoutMs ? { timeoutMs: config.queryTimeoutMs } : {}),
      ...(config.progressMs === undefined ? {} : { progressMs: config.progressMs }),
    },
    ...(config.maxConcurrentRuns ? { concurrency: config.maxConcurrentRuns } : {}),
    ...(config.streamLimits ? { streamLimits: config.streamLimits } : {}),
    version: config.version ?? version,
    log,
    connections,
    authMode: security.auth.mode,
    runsPerMinute: security.runsPerMinute,
    auditMaxRows: security.auditMaxRows,
  });
  const recovered = services.runs.recover();
  if (recovered.interrupted > 0) {
    log(`marked ${recovered.interrupted} run(s) cut off in an earlier process as interrupted`);
  }
  if (recovered.requeued > 0) {
    log(`queued ${recovered.requeued} run(s) an earlier process left waiting`);
  }

  const maxBodySize = config.maxMessageBytes ?? 65_536;
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
  const serveSpa = createStaticHandler(resolve(config.webDist ?? defaultWebDist));

  const server: Server = createServer((req, res) => {
    if (gate.handleHttp(req, res)) return;
    const url = req.url ?? '/';
    if (url === '/trpc' || url.startsWith('/trpc/') || url.startsWith('/trpc?')) {
      trpcHttp(req, res);
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
  const wssHandler = applyWSSHandler({
    wss,
    router: appRouter,
    createContext: ({ req, res, info }) => gate.socketContext(res, req, info.connectionParams),
    keepAlive: {
      enabled: true,
      pingMs: config.pingMs ?? 30_000,
      pongWaitMs: config.pongWaitMs ?? 5_000,
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
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      wssHandler.broadcastReconnectNotification();
      const httpClosed = new Promise<void>((ok) => server.close(() => ok()));
      await services.runs.shutdown(config.shutdownGraceMs ?? 0);
      for (const client of wss.clients) client.close(1012, 'Server restarting');
      await new Promise<void>((ok) => wss.close(() => ok()));
      server.closeAllConnections();
      await httpClosed;
      registry.close();
      store.close();
    })();
    return closing;
  };

  return { url: `http://${host}:${port}`, port, services, store, wss, connections, gate, close };
}
