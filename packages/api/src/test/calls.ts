// Helpers for the router's access tests: what a refused call threw, its code, a drained
// stream, a slow query, and a connection as the transport would register it.
import type { RunEvent } from '@querylane/contracts';
import { TRPCError } from '@trpc/server';
import { expect } from 'vitest';
import type { Connection } from '../transport.ts';

export async function caught(promise: Promise<unknown>): Promise<TRPCError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof TRPCError)) throw new Error(`expected a TRPCError, got ${String(err)}`);
  return err;
}

export async function expectCode(promise: Promise<unknown>, code: TRPCError['code']) {
  expect((await caught(promise)).code).toBe(code);
}

export async function drain(iterable: AsyncIterable<unknown>): Promise<RunEvent[]> {
  const events: RunEvent[] = [];
  for await (const tracked of iterable) events.push((tracked as [string, RunEvent])[1]);
  return events;
}

export const HEAVY =
  'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c';

export function connection(id: string, userId: string | null): Connection {
  return {
    id,
    transport: 'ws',
    ip: `10.0.0.${id.length}`,
    since: new Date(),
    socket: null,
    subscriptions: 0,
    identity: userId ? { userId, role: 'user' } : null,
  };
}
