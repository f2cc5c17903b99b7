// The messages between the bench driver and a host process (over Node's IPC channel), and the
// tRPC WebSocket frames the driver's bare clients speak.

export type HostMode = 'querylane' | 'raw';

export type HostRequest =
  /** Querylane: a run that exists and stays idle (started, never ends) until `emit`. */
  | { op: 'idleRun' }
  /** Emit `count` rows events, one per event-loop turn, then a terminal event. */
  | { op: 'emit'; runId: string; count: number }
  | { op: 'cpu' }
  /** After two full GCs: what the process holds. */
  | { op: 'memory' }
  | { op: 'connections' };

export type HostReply = { id: number } & (
  | { runId: string }
  | { done: true }
  | { user: number; system: number }
  | { rss: number; heapUsed: number; external: number; arrayBuffers: number }
  | { connections: number }
);

export type HostEvent = { ready: true; url: string } | { error: string };

/** tRPC's subscribe frame for `runs.events`, input in superjson's `{ json }` envelope. */
export function subscribeFrame(runId: string): string {
  return JSON.stringify({
    id: 1,
    method: 'subscription',
    params: { path: 'runs.events', input: { json: { runId, lastEventId: null } } },
  });
}
