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
  /** Bytes queued for one client past which its socket is closed (it resumes later). */
  hardBufferBytes: number;
  /** Called once for each socket closed for falling that far behind. */
  onOverflow?: (connection: Connection) => void;
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
    const record = conn;
    this.#bySocket.set(ws, record);
    this.#live.add(record);
    // `on`, not `once`: a socket closes once, and `once` allocates a wrapper per socket.
    ws.on('close', () => this.#live.delete(record));
    this.#boundBacklog(ws, record);
    return record;
  }

  /**
   * tRPC's adapter sends every message at once, with no backpressure. Checked after each send,
   * so a client that stops reading is cut off at the bound, not after the process runs out of
   * memory; subscriptions also coalesce their progress well before this (see pacing).
   */
  #boundBacklog(ws: WebSocket, record: Connection): void {
    const send = ws.send.bind(ws) as (...args: unknown[]) => void;
    let cut = false;
    ws.send = ((...args: unknown[]) => {
      send(...args);
      if (!cut && ws.bufferedAmount > this.limits.hardBufferBytes) {
        cut = true;
        this.limits.onOverflow?.(record);
        ws.terminate();
      }
    }) as WebSocket['send'];
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
