// What the api sees of the transport a call came over: the narrow view the server supplies of
// each connection (its slots for subscriptions, how far behind its socket is), nothing more.
import type { Identity } from './identity.ts';

/** As much of a WebSocket as procedures need: how far behind the client is, and a way out. */
export interface SocketHandle {
  /** Bytes queued for this client that the kernel has not taken yet. */
  readonly bufferedAmount: number;
  /** WebSocket ready state: 1 while open; nothing more is prepared for it after that. */
  readonly readyState: number;
  terminate(): void;
}

/** One client connection: a WebSocket for its whole life, or a single HTTP request. */
export interface Connection {
  readonly id: string;
  readonly transport: 'ws' | 'http';
  readonly ip: string;
  readonly since: Date;
  /** Null for HTTP. */
  readonly socket: SocketHandle | null;
  /** Subscriptions open on this connection now. */
  subscriptions: number;
  /** Set once the credentials of the connection were accepted. */
  identity: Identity | null;
}

/** The live connections of this process, as the admin sees them. */
export interface ConnectionDirectory {
  readonly live: ReadonlySet<Connection>;
}

export interface StreamLimits {
  /** Past this many bytes waiting for a client, its progress events are coalesced. */
  softBufferBytes: number;
  /** Past this, the server closes the client's socket; it resumes from its last event later. */
  hardBufferBytes: number;
  /** Subscriptions one WebSocket may hold at once. */
  maxSubscriptionsPerSocket: number;
}

/** What pacing did, for tests and metrics. */
export interface StreamStats {
  coalesced: number;
  overflowCloses: number;
}
