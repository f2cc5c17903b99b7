// The run queue through the real service: a slot limit, fair turns across users, and the
// position of every waiting run told in `queued` events as it changes.
import type { RunEvent } from '@querylane/contracts';
import { transformer } from '@querylane/contracts/transformer';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createTestApp } from '../test/setup.ts';
import { until } from '../test/until.ts';

const HEAVY =
  'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c';

let app: Awaited<ReturnType<typeof createTestApp>>;
beforeEach(async () => {
  app = await createTestApp({ concurrency: 1 });
});
afterEach(async () => {
  await app.close();
});

function stored(runId: string): RunEvent[] {
  return app.services.repos.events
    .after(runId, 0, 1_000)
    .map((row) => transformer.parse<RunEvent>(row.payload));
}

const positions = (runId: string) =>
  stored(runId).flatMap((e) => (e.type === 'queued' ? [e.position] : []));

it('runs one at a time, takes users in turn and tells each waiting run its place', async () => {
  const runs = app.services.runs;
  const blocker = runs.start('alice', { query: HEAVY, datasetId: 'shop' });
  await until(() => expect(app.services.repos.runs.get(blocker.runId)?.status).toBe('running'));

  const startOrder: string[] = [];
  const start = (userId: string, name: string) => {
    const { runId } = runs.start(userId, { query: `SELECT '${name}' AS run`, datasetId: 'shop' });
    app.services.bus.subscribe(runId, (event) => {
      if (event.type === 'stage' && !startOrder.includes(name)) startOrder.push(name);
    });
    return runId;
  };
  const a1 = start('alice', 'a1');
  const a2 = start('alice', 'a2');
  const a3 = start('alice', 'a3');
  const b1 = start('bob', 'b1');
  expect(runs.stats).toEqual({ queued: 4, running: 1 });
  expect(app.services.repos.runs.get(a3)?.status).toBe('queued');

  await runs.cancel('alice', blocker.runId);
  await until(() => expect(app.services.repos.runs.get(a3)?.status).toBe('completed'));

  expect(startOrder).toEqual(['a1', 'b1', 'a2', 'a3']);
  expect(positions(blocker.runId)).toEqual([]);
  expect(positions(a1)).toEqual([1]);
  expect(positions(b1)).toEqual([2, 1]);
  expect(positions(a2)).toEqual([2, 3, 2, 1]);
  expect(positions(a3)).toEqual([3, 4, 3, 2, 1]);
  // The queued events sit between `started` and the first stage, and seqs stay contiguous.
  const events = stored(a3);
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
  expect(runs.stats).toEqual({ queued: 0, running: 0 });
});

it('moves the runs behind a cancelled queued run up by one', async () => {
  const runs = app.services.runs;
  const blocker = runs.start('alice', { query: HEAVY, datasetId: 'shop' });
  const first = runs.start('alice', { query: HEAVY, datasetId: 'shop' });
  const second = runs.start('bob', { query: HEAVY, datasetId: 'shop' });
  expect(positions(first.runId)).toEqual([1]);
  expect(positions(second.runId)).toEqual([2]);

  const cancelled = await runs.cancel('alice', first.runId);
  expect(cancelled.status).toBe('cancelled');
  expect(stored(first.runId).map((e) => e.type)).toEqual(['started', 'queued', 'cancelled']);
  await until(() => expect(positions(second.runId)).toEqual([2, 1]));
  expect(runs.stats).toEqual({ queued: 1, running: 1 });
  await runs.cancel('alice', blocker.runId);
  await until(() => expect(app.services.repos.runs.get(second.runId)?.status).toBe('running'));
  await runs.cancel('bob', second.runId);
});
