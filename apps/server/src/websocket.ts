// The WebSocket half of the port: upgrades checked before they are accepted, every socket
// registered and its frames bounded before tRPC sees them, then tRPC's adapter with keep-alive.
import type { Server } from 'node:http';
import { appRouter, type Services } from '@querylane/api';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import type { VerifyClientCallbackAsync } from 'ws';
import { WebSocketServer } from 'ws';
import type { Callers } from './callers.ts';
import type { ConnectionRegistry } from './connections.ts';
import { guardSocket, type SocketLimits } from './socket-guards.ts';

export function attachWebSockets(
  server: Server,
  deps: {
    services: Services;
    connections: ConnectionRegistry;
    callers: Callers;
    verifyUpgrade: VerifyClientCallbackAsync;
    limits: SocketLimits;
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
  // Attached before tRPC's own connection listener, so these guards see every frame first.
  wss.on('connection', (ws, req) => {
    guardSocket(ws, connections.forSocket(ws, req), services, deps.limits);
  });
  const handler = applyWSSHandler({
    wss,
    router: appRouter,
    createContext: ({ req, res, info }) => callers.socket(res, req, info.connectionParams),
    keepAlive: { enabled: true, ...deps.keepAlive },
    onError({ error, path }) {
      if (error.code === 'INTERNAL_SERVER_ERROR') log(`tRPC ws ${path ?? '?'} failed`, error);
    },
  });
  return { wss, handler };
}
