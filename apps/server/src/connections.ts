// Every client connection this process holds: one record per WebSocket for its whole life,
// handed to tRPC's context so procedures can see who is behind and how far.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Connection } from '@querylane/api';
import type { WebSocket } from 'ws';

/**
 * An id for the admin's list of connections. Not randomUUID(): Node builds that string from
 * fifteen concatenations, which V8 keeps as a tree of fifteen strings for as long as the
 * socket lives (half a kilobyte each); hex from a buffer is one flat string.
 */
const connectionId = (): string => randomBytes(12).toString('hex');

export function clientIp(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

export interface ConnectionLimits {
  /** Called once for each socket closed for falling past the hard bound. */
  onOverflow?: (connection: Connection) => void;
  /** Called once when a socket has closed, however it ended. */
  onClose?: (connection: Connection) => void;
}

export class ConnectionRegistry {
  readonly #bySocket = new WeakMap<WebSocket, Connection>();
  readonly #live = new Set<Connection>();

  constructor(private readonly limits: ConnectionLimits) {}

  /** The record of a WebSocket, made on first sight and dropped when the socket closes. */
  forSocket(ws: WebSocket, req: IncomingMessage): Connection {
    let conn = this.#bySocket.get(ws);
    if (conn) return conn;
    conn = {
      id: connectionId(),
      transport: 'ws',
      ip: clientIp(req),
      since: new Date(),
      socket: ws,
      subscriptions: 0,
      identity: null,
    };
    this.#bySocket.set(ws, conn);
    this.#live.add(conn);
    return conn;
  }

  /** The record of a socket seen before. */
  get(ws: WebSocket): Connection | undefined {
    return this.#bySocket.get(ws);
  }

  /** The socket closed (the WebSocket handler calls this for every socket). */
  closed(ws: WebSocket): void {
    const conn = this.#bySocket.get(ws);
    if (!conn || !this.#live.delete(conn)) return;
    this.limits.onClose?.(conn);
  }

  /**
   * The socket's client fell past the hard bound of bytes waiting for it; the WebSocket handler
   * checks after every send, and closes the socket after this (it resumes later).
   */
  overflowed(ws: WebSocket): void {
    const conn = this.#bySocket.get(ws);
    if (conn) this.limits.onOverflow?.(conn);
  }

  forRequest(req: IncomingMessage): Connection {
    return {
      id: connectionId(),
      transport: 'http',
      ip: clientIp(req),
      since: new Date(),
      socket: null,
      subscriptions: 0,
      identity: null,
    };
  }

  get live(): ReadonlySet<Connection> {
    return this.#live;
  }

  /** Live sockets signed in as `userId`. */
  countUser(userId: string): number {
    let n = 0;
    for (const conn of this.#live) if (conn.identity?.userId === userId) n += 1;
    return n;
  }
}
