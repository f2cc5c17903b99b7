// Every client connection this process holds: one record per WebSocket for its whole life,
// handed to tRPC's context so procedures can see who is behind and how far.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Connection } from '@querylane/api';
import type { WebSocket } from 'ws';

export function clientIp(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

export class ConnectionRegistry {
  readonly #bySocket = new WeakMap<WebSocket, Connection>();
  readonly #live = new Set<Connection>();

  /** The record of a WebSocket, made on first sight and dropped when the socket closes. */
  forSocket(ws: WebSocket, req: IncomingMessage): Connection {
    let conn = this.#bySocket.get(ws);
    if (conn) return conn;
    conn = {
      id: randomUUID(),
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
    ws.once('close', () => this.#live.delete(record));
    return record;
  }

  forRequest(req: IncomingMessage): Connection {
    return {
      id: randomUUID(),
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
