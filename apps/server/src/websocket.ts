// The WebSocket half of the port: upgrades checked before they are accepted, every socket
// registered and its frames bounded before tRPC's protocol sees them, then our handler of that
// protocol (@querylane/api's applyWsHandler: frame for frame tRPC's adapter, with push
// subscriptions whose events are serialised once for every subscriber) with keep-alive. What
// the server adds per socket are hooks the handler calls with the socket, not listeners of its own.
import type { Server } from 'node:http';
import { applyWsHandler, appRouter, type Services } from '@querylane/api';
import { stringifyTrackedOnce } from '@querylane/contracts/transformer';
import type { VerifyClientCallbackAsync } from 'ws';
import { WebSocketServer } from 'ws';
import type { Callers } from './callers.ts';
import type { ConnectionRegistry } from './connections.ts';
import { SocketGuards, type SocketLimits } from './socket-guards.ts';

export function attachWebSockets(
  server: Server,
  deps: {
    services: Services;
    connections: ConnectionRegistry;
    callers: Callers;
    verifyUpgrade: VerifyClientCallbackAsync;
    limits: SocketLimits;
    /** Bytes queued for one client past which its socket is closed (it resumes later). */
    hardBufferBytes: number;
    keepAlive: { pingMs: number; pongWaitMs: number };
    log: (message: string, err?: unknown) => void;
  },
) {
  const { services, connections, callers, log } = deps;
  const wss = new WebSocketServer({
    server,
    path: '/trpc',
    maxPayload: deps.limits.maxMessageBytes,
    verifyClient: deps.verifyUpgrade,
  });
  wss.on('error', (err) => log('websocket server error', err));
  // Registered before the handler's own connection listener: every socket has its record first.
  wss.on('connection', (ws, req) => connections.forSocket(ws, req));
  const guards = new SocketGuards(connections, services, deps.limits);
  const handler = applyWsHandler({
    wss,
    router: appRouter,
    createContext: ({ socket, req, connectionParams }) =>
      callers.socket(socket, req, connectionParams),
    keepAlive: deps.keepAlive,
    // The event's serialisation made for the store, shared by every subscriber's frame.
    stringifyItem: stringifyTrackedOnce,
    sockets: {
      admit: guards.admit,
      onError: guards.error,
      onClose: (socket) => connections.closed(socket),
      // tRPC's protocol has no backpressure: every send is checked against the bound, so a
      // client that stops reading is cut off there; subscriptions coalesce progress well before.
      maxBufferedBytes: deps.hardBufferBytes,
      onOverflow: (socket) => connections.overflowed(socket),
    },
    onError({ error, path }) {
      if (error.code === 'INTERNAL_SERVER_ERROR') log(`tRPC ws ${path ?? '?'} failed`, error);
    },
  });
  return { wss, handler };
}
