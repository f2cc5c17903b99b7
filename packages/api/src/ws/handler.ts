// Serves tRPC's WebSocket protocol (v11, what @trpc/client's wsLink speaks) on a `ws` server,
// frame for frame as tRPC's own adapter does (parity.test.ts holds the two side by side), with
// less held per socket and per event: one session per socket and no closures of its own, one
// keep-alive sweep for every socket, and push subscriptions (push.ts) whose items are
// serialised once and written to each subscriber synchronously, without a promise per yield.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  type AnyRouter,
  callTRPCProcedure,
  getTRPCErrorFromUnknown,
  getTRPCErrorShape,
  type inferRouterContext,
  type ProcedureType,
  type TRPCError,
  transformTRPCResponse,
} from '@trpc/server';
import type { TRPCRequestInfo } from '@trpc/server/http';
import type { WebSocket, WebSocketServer } from 'ws';
import { Session } from './session.ts';

export interface WsHandlerOptions<TRouter extends AnyRouter> {
  wss: WebSocketServer;
  router: TRouter;
  /** Called once per socket, with its connectionParams when the client sends them. */
  createContext(opts: {
    socket: WebSocket;
    req: IncomingMessage;
    connectionParams: TRPCRequestInfo['connectionParams'];
  }): Promise<inferRouterContext<TRouter>> | inferRouterContext<TRouter>;
  /** The server pings a socket silent for `pingMs`; one silent `pongWaitMs` more is dropped. */
  keepAlive?: { pingMs: number; pongWaitMs: number };
  onError?(opts: ErrorInfo<TRouter>): void;
  /**
   * The JSON text of the router transformer's `serialize({ id, data })` for a pushed item, if the
   * host has a faster way to make exactly that (by default it is made here, once per item).
   */
  stringifyItem?(id: string, data: object): string;
  /** What the host adds per socket, as calls with the socket rather than listeners on it. */
  sockets?: SocketHooks;
}

export interface SocketHooks {
  /** Every frame first: false drops it unread (the hook closes the socket if it must). */
  admit?(socket: WebSocket, data: WebSocket.RawData, isBinary: boolean): boolean;
  /** Past this many bytes queued for one client, its socket is closed after `onOverflow`. */
  maxBufferedBytes?: number;
  onOverflow?(socket: WebSocket): void;
  onError?(socket: WebSocket, err: Error): void;
  onClose?(socket: WebSocket): void;
}

export interface ErrorInfo<TRouter extends AnyRouter> {
  error: TRPCError;
  type: ProcedureType | 'unknown';
  path: string | undefined;
  input: unknown;
  ctx: inferRouterContext<TRouter> | undefined;
}

export interface WsHandler {
  /** Tells every client to reconnect (before a restart). */
  broadcastReconnectNotification(): void;
  /** Stops the keep-alive sweep; sockets are the server's to close. */
  close(): void;
}

const OPEN = 1;
/** Bytes past which a corked socket is written out at once. */
const CORK_BYTES = 64 * 1024;

/** What one handler shares with its sessions. */
export interface HandlerContext<TRouter extends AnyRouter> {
  readonly opts: WsHandlerOptions<TRouter>;
  /** Every frame out goes through here: it holds the socket to its bound. */
  send(socket: WebSocket, data: string): void;
  respond(socket: WebSocket, response: object): void;
  errorShape(
    error: TRPCError,
    type: ProcedureType | 'unknown',
    path: string | undefined,
    input: unknown,
    ctx: inferRouterContext<TRouter> | undefined,
  ): unknown;
  /** The JSON text of a pushed item's result frame from `"data":` on, made once per item. */
  itemTail(id: string, data: unknown): string;
  call: typeof callTRPCProcedure;
}

export function applyWsHandler<TRouter extends AnyRouter>(
  opts: WsHandlerOptions<TRouter>,
): WsHandler {
  const config = opts.router._def._config;
  const sessions = new Map<WebSocket, Session<TRouter>>();
  // Pushed data objects never change after they are pushed, so their bytes are made once.
  const tails = new WeakMap<object, { id: string; tail: string }>();

  const hooks = opts.sockets ?? {};
  const maxBuffered = hooks.maxBufferedBytes ?? Number.POSITIVE_INFINITY;
  // Frames sent to one socket in one pass (a group commit publishing to many subscriptions of
  // one client, a replay) leave in one write: the socket is corked at its first frame and
  // uncorked once this tick's work is done, instead of one system call per frame.
  const corked = new Set<Duplex>();
  const uncorkAll = () => {
    for (const raw of corked) raw.uncork();
    corked.clear();
  };
  /** Every frame out: corked per tick, and held to the socket's bound. */
  function send(socket: WebSocket, data: string): void {
    const raw = (socket as unknown as { _socket?: Duplex })._socket;
    if (raw && !corked.has(raw)) {
      raw.cork();
      corked.add(raw);
      if (corked.size === 1) process.nextTick(uncorkAll);
    }
    socket.send(data);
    // A large pass leaves at once, so what waits for a client is what the kernel would not take.
    if (raw && raw.writableLength >= CORK_BYTES && corked.delete(raw)) raw.uncork();
    if (socket.bufferedAmount > maxBuffered && socket.readyState === OPEN) {
      hooks.onOverflow?.(socket);
      socket.terminate();
    }
  }

  const shared: HandlerContext<TRouter> = {
    opts,
    send,
    respond(socket, response) {
      send(socket, JSON.stringify(transformTRPCResponse(config, response as never)));
    },
    errorShape(error, type, path, input, ctx) {
      return getTRPCErrorShape({ config, error, type, path, input, ctx });
    },
    itemTail(id, data) {
      const cacheable = typeof data === 'object' && data !== null;
      const hit = cacheable ? tails.get(data) : undefined;
      if (hit && hit.id === id) return hit.tail;
      const json =
        cacheable && opts.stringifyItem
          ? opts.stringifyItem(id, data)
          : JSON.stringify(config.transformer.output.serialize({ id, data }));
      const tail = `${json},"id":${JSON.stringify(id)}}}`;
      if (cacheable) tails.set(data, { id, tail });
      return tail;
    },
    call: callTRPCProcedure,
  };

  // Listeners shared by every socket: `this` is the socket, the session is looked up.
  function onMessage(this: WebSocket, data: WebSocket.RawData, isBinary: boolean) {
    if (hooks.admit && !hooks.admit(this, data, isBinary)) return;
    sessions.get(this)?.message(data, isBinary);
  }
  function onError(this: WebSocket, cause: Error) {
    hooks.onError?.(this, cause);
    const session = sessions.get(this);
    opts.onError?.({
      error: getTRPCErrorFromUnknown(cause),
      type: 'unknown',
      path: undefined,
      input: undefined,
      ctx: session?.ctx,
    });
  }
  function onClose(this: WebSocket) {
    sessions.get(this)?.closed();
    sessions.delete(this);
    hooks.onClose?.(this);
  }

  opts.wss.on('connection', (socket: WebSocket, req: IncomingMessage) => {
    const session = new Session(shared, socket, req);
    sessions.set(socket, session);
    socket.on('message', onMessage);
    socket.on('error', onError);
    // `on`, not `once`: a socket closes once, and `once` allocates a wrapper per socket.
    socket.on('close', onClose);
    session.open();
  });

  let sweep: NodeJS.Timeout | undefined;
  if (opts.keepAlive) {
    const { pingMs, pongWaitMs } = opts.keepAlive;
    // One timer for every socket instead of two per socket; a few ticks per wait keep the
    // moments of ping and drop within a fraction of the configured times.
    const tick = Math.max(5, Math.min(pingMs, pongWaitMs) / 5);
    sweep = setInterval(() => {
      const now = Date.now();
      for (const [socket, session] of sessions) {
        if (session.pingedAt > 0) {
          if (now - session.pingedAt >= pongWaitMs) socket.terminate();
        } else if (now - session.lastSeen >= pingMs && socket.readyState === OPEN) {
          send(socket, 'PING');
          session.pingedAt = now;
        }
      }
    }, tick);
    sweep.unref();
  }

  return {
    broadcastReconnectNotification() {
      const data = JSON.stringify({ id: null, method: 'reconnect' });
      for (const socket of opts.wss.clients) if (socket.readyState === OPEN) send(socket, data);
    },
    close() {
      clearInterval(sweep);
    },
  };
}
