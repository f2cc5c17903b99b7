// Hosts Querylane on one port: tRPC over HTTP and WebSocket at /trpc, the SPA everywhere else.
// Wires the stores, pipelines and services to the transport modules; owns start and stop.
import { createServer, type Server } from 'node:http';
import { type AddressInfo, isIP } from 'node:net';
import { join } from 'node:path';
import { appRouter, createServices, type Restarter, type Services } from '@querylane/api';
import {
  conversationHistory,
  createModelClient,
  createQuestionPipeline,
  createSqlPipeline,
  DatasetRegistry,
  datasetCatalog,
  poolExecutor,
  SemanticModels,
  SqlWorkerPool,
} from '@querylane/engine';
import type { Stores } from '@querylane/runs';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import type { Registry } from 'prom-client';
import type { WebSocketServer } from 'ws';
import { createAuthenticator } from './auth.ts';
import { openBackend } from './backend.ts';
import { Callers } from './callers.ts';
import { assertSafeBinding, type ServerConfig } from './config.ts';
import { ConnectionRegistry, clientIp } from './connections.ts';
import { createDiscoveryRoute } from './discovery.ts';
import { createCsvExport } from './export.ts';
import { HostPolicy } from './hosts.ts';
import { createRequestHandler } from './http.ts';
import { AddressCounter, retryAfterMeta } from './limits.ts';
import { createMetricsRegistry } from './metrics.ts';
import { createMetricsEndpoint } from './metrics-endpoint.ts';
import { OriginPolicy } from './origins.ts';
import { servicesConfig } from './services-config.ts';
import { createStaticHandler } from './static.ts';
import { createUpgradeCheck } from './upgrade.ts';
import { attachWebSockets } from './websocket.ts';

export { configFromEnv, type SecurityConfig, type ServerConfig } from './config.ts';

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
  /** The SQL worker processes of this server. */
  pool: SqlWorkerPool;
  /** What GET /metrics serves. */
  metrics: Registry;
  /**
   * Graceful stop: clients told to reconnect, no new connections or runs, running runs get
   * `shutdownGraceMs` to finish and then end `interrupted`, waiting runs stay queued for the
   * next process, store closed.
   */
  close(): Promise<void>;
}

/**
 * How the process ends after `admin.restart` with QUERYLANE_RESTART=exit: EX_TEMPFAIL, "try
 * again", for a supervisor to start it (systemd: `Restart=on-failure`, `RestartForceExitStatus=75`).
 */
export const RESTART_EXIT_CODE = 75;

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
    store: config.store,
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
  // Semantic models are built on a dataset's first question and kept.
  const models = new SemanticModels(registry);
  const connections = new ConnectionRegistry({
    onOverflow: (connection) => {
      services.streamStats.overflowCloses += 1;
      const actor = { userId: connection.identity?.userId ?? null, ip: connection.ip };
      services.audit.refused('slow_consumer', actor, {
        detail: { hardBufferBytes: services.streamLimits.hardBufferBytes },
      });
    },
    onClose: (connection) => services.activity.closed(connection),
  });
  const { onRestart } = config;
  let restartAsked = false;
  const restarter: Restarter | undefined = onRestart && {
    graceMs: config.shutdownGraceMs,
    mode: config.restartMode,
    request(by) {
      if (restartAsked) return false;
      restartAsked = true;
      // After the answer to admin.restart has gone out.
      setImmediate(() => onRestart(by));
      return true;
    },
  };
  const services = createServices({
    stores,
    pipelines: [
      createSqlPipeline({ registry, pool }),
      createQuestionPipeline({
        models,
        executor: poolExecutor(registry, pool),
        ...(config.model ? { model: createModelClient(config.model) } : {}),
        history: conversationHistory(stores),
      }),
    ],
    datasets: datasetCatalog(registry, models),
    config: servicesConfig(config, backend),
    ...backend.channels,
    connections,
    workers: pool,
    ...(restarter ? { restarter } : {}),
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
  const auth = createAuthenticator(security.auth, log);
  const callers = new Callers({
    auth,
    services,
    connections,
    maxConnectionsPerUser: security.maxConnectionsPerUser,
    maxCallsPerBatch: security.maxCallsPerBatch,
  });
  const metrics = createMetricsRegistry(services, connections, auth);
  // A server told to listen on a name answers to it (an address is answered anyway).
  const hosts = new HostPolicy({
    allowedHosts: [...security.allowedHosts, ...(isIP(config.host) ? [] : [config.host])],
    allowedOrigins: security.allowedOrigins,
  });
  const origins = new OriginPolicy(security.allowedOrigins);
  const trpcHttp = createHTTPHandler({
    router: appRouter,
    createContext: ({ req, info }) => callers.http(req, info),
    basePath: '/trpc/',
    maxBodySize,
    responseMeta: retryAfterMeta,
    onError({ error, path, req, ctx }) {
      if (error.code === 'PAYLOAD_TOO_LARGE') {
        services.audit.refused(
          'body_size',
          { userId: ctx?.userId ?? null, ip: clientIp(req) },
          { detail: { maxBytes: maxBodySize } },
        );
      }
      if (error.code === 'INTERNAL_SERVER_ERROR') log(`tRPC ${path ?? '?'} failed`, error);
    },
  });
  const handle = createRequestHandler({
    hosts,
    origins,
    services,
    trpc: trpcHttp,
    metrics: createMetricsEndpoint({ auth, services, registry: metrics }),
    routes: [
      createDiscoveryRoute(services.discovery),
      // A whole result re-runs the query: it gets the query time limit ten times over.
      createCsvExport({
        callers,
        services,
        datasets: registry,
        timeoutMs: config.queryTimeoutMs * 10,
        log,
      }),
    ],
    app: createStaticHandler(config.webDist),
    log,
  });
  // Which node answered: behind a balancer, for operators and for tests that follow clients.
  const nodeHeader = ['x-querylane-node', config.nodeId] as const;
  const server: Server = createServer((req, res) => {
    res.setHeader(...nodeHeader);
    handle(req, res);
  });
  server.keepAliveTimeout = 65_000;
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  const { wss, handler: wssHandler } = attachWebSockets(server, {
    services,
    connections,
    callers,
    verifyUpgrade: createUpgradeCheck({
      hosts,
      origins,
      addresses: new AddressCounter(security.maxConnectionsPerIp),
      services,
    }),
    limits: {
      perSecond: security.wsMessagesPerSecond,
      maxCallsPerBatch: security.maxCallsPerBatch,
      maxMessageBytes: maxBodySize,
    },
    hardBufferBytes: config.streamLimits.hardBufferBytes,
    keepAlive: { pingMs: config.pingMs, pongWaitMs: config.pongWaitMs },
    log,
  });
  wss.on('headers', (headers) => headers.push(`${nodeHeader[0]}: ${nodeHeader[1]}`));

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
      wssHandler.close();
      server.closeAllConnections();
      await httpClosed;
      services.activity.close();
      await services.presence.close();
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
    pool,
    metrics,
    close,
  };
}
