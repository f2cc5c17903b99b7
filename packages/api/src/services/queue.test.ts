// The run queue through the real service: a slot limit, fair turns across users, and the
// position of every waiting run told in `queued` events as it changes.
import type { RunEvent } from '@querylane/contracts';
import { until } from '@querylane/runs/testing';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createTestApp } from '../test/setup.ts';

const HEAVY =
  'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c';

let app: Awaited<ReturnType<typeof createTestApp>>;
beforeEach(async () => {
  app = await createTestApp({ concurrency: 1 });
});
afterEach(async () => {
  await app.close();
});

const stored = (runId: string): Promise<RunEvent[]> => app.stores.history.after(runId, 0, 1_000);
const status = async (runId: string) => (await app.stores.runs.get(runId))?.status;

const positions = async (runId: string) =>
  (await stored(runId)).flatMap((e) => (e.type === 'queued' ? [e.position] : []));
const sql = (query: string) => ({ kind: 'sql' as const, query, datasetId: 'shop' });

it('runs one at a time, takes users in turn and tells each waiting run its place', async () => {
  const runs = app.services.runs;
  const blocker = await runs.start('alice', sql(HEAVY));
  await until(async () => expect(await status(blocker.runId)).toBe('running'));

  const start = async (userId: string, name: string) =>
    (await runs.start(userId, sql(`SELECT '${name}' AS run`))).runId;
  const a1 = await start('alice', 'a1');
  const a2 = await start('alice', 'a2');
  const a3 = await start('alice', 'a3');
  const b1 = await start('bob', 'b1');
  expect(await runs.stats()).toEqual({ queued: 4, running: 1 });
  expect(await status(a3)).toBe('queued');

  await runs.cancel('alice', blocker.runId);
  await until(async () => expect(await status(a3)).toBe('completed'));

  // One slot: each run started after the one before it had finished.
  const startedAt = await Promise.all(
    [a1, b1, a2, a3].map(async (id) => (await app.stores.runs.get(id))?.startedAt?.getTime() ?? 0),
  );
  expect(startedAt).toEqual([...startedAt].sort((x, y) => x - y));
  expect(await positions(blocker.runId)).toEqual([]);
  expect(await positions(a1)).toEqual([1]);
  expect(await positions(b1)).toEqual([2, 1]);
  expect(await positions(a2)).toEqual([2, 3, 2, 1]);
  expect(await positions(a3)).toEqual([3, 4, 3, 2, 1]);
  // The queued events sit between `started` and the first stage, and seqs stay contiguous.
  const events = await stored(a3);
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  expect(events.slice(0, 6).map((e) => e.type)).toEqual([
    'started',
    'queued',
    'queued',
    'queued',
    'queued',
    'queued',
  ]);
  expect(events[6]?.type).toBe('stage');
  expect(await runs.stats()).toEqual({ queued: 0, running: 0 });
});

it('moves the runs behind a cancelled queued run up by one', async () => {
  const runs = app.services.runs;
  const blocker = await runs.start('alice', sql(HEAVY));
  const first = await runs.start('alice', sql(HEAVY));
  const second = await runs.start('bob', sql(HEAVY));
  expect(await positions(first.runId)).toEqual([1]);
  expect(await positions(second.runId)).toEqual([2]);

  const cancelled = await runs.cancel('alice', first.runId);
  expect(cancelled.status).toBe('cancelled');
  expect((await stored(first.runId)).map((e) => e.type)).toEqual([
    'started',
    'queued',
    'cancelled',
  ]);
  await until(async () => expect(await positions(second.runId)).toEqual([2, 1]));
  expect(await runs.stats()).toEqual({ queued: 1, running: 1 });
  await runs.cancel('alice', blocker.runId);
  await until(async () => expect(await status(second.runId)).toBe('running'));
  await runs.cancel('bob', second.runId);
});
