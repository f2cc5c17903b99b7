// The settings the services run with, read off the server's config: limits, rates, room and
// transport figures, and what this node says about itself.
import type { createServices } from '@querylane/api';
import type { Backend } from './backend.ts';
import type { ServerConfig } from './config.ts';

type ServicesConfig = Parameters<typeof createServices>[0]['config'];

export function servicesConfig(config: ServerConfig, backend: Backend): ServicesConfig {
  const { security } = config;
  return {
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
    writesPerMinute: security.writesPerMinute,
    commentsPerMinute: config.commentsPerMinute,
    roomMaxMembers: config.roomMaxMembers,
    // A room session stays present for as long as its socket may go silent before the
    // keep-alive drops it; the stream's own end removes it sooner.
    presenceTtlMs: config.pingMs + config.pongWaitMs,
    auditMaxRows: security.auditMaxRows,
    authMode: security.auth.mode,
    features: {
      model: config.model !== undefined,
      rooms: security.auth.mode !== 'none',
      cluster: config.cluster !== null,
    },
    version: config.version,
    transport: {
      maxMessageBytes: config.maxMessageBytes,
      messagesPerSecond: security.wsMessagesPerSecond,
      pingMs: config.pingMs,
      pongWaitMs: config.pongWaitMs,
      connectionsPerUser: security.maxConnectionsPerUser,
      connectionsPerAddress: security.maxConnectionsPerIp,
    },
    nodeId: config.nodeId,
    heartbeatMs: config.cluster?.heartbeatMs ?? 2_000,
    ...(backend.leases ? { leases: backend.leases } : {}),
  };
}
