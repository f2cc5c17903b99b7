// Cancel through the real server: heavy queries stop, their worker process is gone, the run
// ends with one `cancelled` event; a second cancel is a clear CONFLICT that adds nothing.
import type { AppRouter } from '@querylane/api';
import { TRPCClientError } from '@trpc/client';
import { expect, it } from 'vitest';
import { ENDLESS, storedEvents, subscribeAll } from './harness.ts';
import { testClient, testServer, until } from './scope.ts';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

it.each([
  ['a recursive CTE that never ends', ENDLESS],
  ['a cross join of 219,551² rows', 'SELECT count(*) FROM order_items a CROSS JOIN order_items b'],
])('cancels %s: worker gone, one cancelled event, a second cancel refused', async (_, query) => {
  const server = await testServer({ queryTimeoutMs: 120_000 });
  const { trpc } = testClient(server.url);

  const { runId } = await trpc.runs.start.mutate({ query });
  let running = false;
  const events = subscribeAll(trpc, runId, {
    onEvent: (e) => {
      if (e.type === 'stage' && e.stage === 'execute') running = true;
    },
  });
  await until(() => expect(running).toBe(true));
  const workers = server.pool.busyPids();
  expect(workers).toHaveLength(1);

  expect(await trpc.runs.cancel.mutate({ runId })).toEqual({ runId, status: 'cancelled' });
  // cancel resolves only after the worker process has exited.
  expect(server.pool.busyPids()).toEqual([]);
  expect(workers.map(alive)).toEqual([false]);
  const seen = await events;
  expect(seen.at(-1)).toMatchObject({ type: 'cancelled', reason: 'Cancelled by the user' });
  expect(seen.filter((e) => e.type === 'cancelled' || e.type === 'completed')).toHaveLength(1);

  const again = await trpc.runs.cancel.mutate({ runId }).catch((e: unknown) => e);
  expect(again).toBeInstanceOf(TRPCClientError);
  const err = again as TRPCClientError<AppRouter>;
  expect(err.data?.code).toBe('CONFLICT');
  expect(err.message).toBe(`Run ${runId} has already ended (cancelled); nothing to cancel.`);
  expect(await storedEvents(server, runId)).toEqual(seen);
  expect((await trpc.runs.byId.query({ runId })).status).toBe('cancelled');
});
