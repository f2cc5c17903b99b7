// What a client learns before it connects (GET /.well-known/querylane and `meta.config`): the
// server's version, what it can do, where its endpoints are and the limits it enforces, so a
// client configures itself (keep-alive, pacing) instead of finding out by being cut off.
import type { AuthMode } from './identity.ts';
import type { StreamLimits } from './transport.ts';

/** Paths on the server's origin (behind a proxy, under its prefix). */
export const endpoints = {
  /** tRPC over HTTP: queries and mutations. */
  http: '/trpc',
  /** tRPC over WebSocket: subscriptions. */
  ws: '/trpc',
  discovery: '/.well-known/querylane',
  /** Prometheus text, for admins. */
  metrics: '/metrics',
} as const;

/** Limits the transport enforces, as the server's host configured them. */
export interface TransportLimits {
  /** Largest WebSocket message and HTTP body, in bytes (over it: close 1009 / 413). */
  maxMessageBytes: number;
  /** Frames one socket may send per second on average, bursts of twice that (over: 1008). */
  messagesPerSecond: number;
  /** The server pings a socket this often and drops it when no pong comes within the wait. */
  pingMs: number;
  pongWaitMs: number;
  /** WebSockets one signed-in user may hold (authentication on); one more is closed with 4029. */
  connectionsPerUser: number;
  /** WebSockets one client address may hold; one more is refused with 429. */
  connectionsPerAddress: number;
}

export interface ServiceDiscovery {
  service: 'querylane';
  /** The server's version; a client of another major (or 0.x minor) version should warn. */
  version: string;
  features: {
    /** How clients sign in: `none`, or a bearer `token` / `jwt`. */
    auth: AuthMode;
    /** Questions in plain words answered by a configured model endpoint. */
    model: boolean;
    /** Shared conversations several people watch live. */
    rooms: boolean;
    /** Several server processes sharing runs and events. */
    cluster: boolean;
  };
  endpoints: typeof endpoints;
  limits: {
    maxMessageBytes: number;
    messagesPerSecond: number;
    /** What a client's own keep-alive should use: ping after this much silence, give up after. */
    keepAlive: { intervalMs: number; pongTimeoutMs: number };
    connectionsPerUser: number;
    connectionsPerAddress: number;
    subscriptionsPerSocket: number;
    runsPerMinute: number;
    /** Characters in one query. */
    maxQueryChars: number;
    /** Rows a result keeps (`rowCount` still counts all). */
    maxRows: number;
  };
}

export function describeService(config: {
  version: string;
  authMode: AuthMode;
  transport: TransportLimits;
  streamLimits: StreamLimits;
  runsPerMinute: number;
  maxQueryChars: number;
  maxRows: number;
  features: Omit<ServiceDiscovery['features'], 'auth'>;
}): ServiceDiscovery {
  const { transport } = config;
  return {
    service: 'querylane',
    version: config.version,
    features: { auth: config.authMode, ...config.features },
    endpoints,
    limits: {
      maxMessageBytes: transport.maxMessageBytes,
      messagesPerSecond: transport.messagesPerSecond,
      // The server pings a quiet socket every pingMs. A client that heard nothing for longer
      // than that plus the wait has lost the server: only then does it ping, and it gives up
      // after the same wait. A live server's pings keep resetting the client's timer, so the
      // client adds no traffic and never drops a socket merely because the server was busy.
      keepAlive: {
        intervalMs: transport.pingMs + transport.pongWaitMs,
        pongTimeoutMs: transport.pongWaitMs,
      },
      connectionsPerUser: transport.connectionsPerUser,
      connectionsPerAddress: transport.connectionsPerAddress,
      subscriptionsPerSocket: config.streamLimits.maxSubscriptionsPerSocket,
      runsPerMinute: config.runsPerMinute,
      maxQueryChars: config.maxQueryChars,
      maxRows: config.maxRows,
    },
  };
}
