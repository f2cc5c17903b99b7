// The admin's activity feed through createCaller: runs that end, refusals, the figures pushed
// when they change, resume after a seq, and admins only. (Under load, over a real socket, and
// across a restart: apps/server/src/test/activity.test.ts.)
import type { ActivityItem } from '@querylane/api';
import { until } from '@querylane/runs/testing';
import { TRPCError } from '@trpc/server';
import { afterEach, expect, it } from 'vitest';
import { createTestApp } from '../test/setup.ts';

type App = Awaited<ReturnType<typeof createTestApp>>;
let app: App;
afterEach(async () => {
  await app?.close();
});

/** Reads a subscription in the background until `stop()`. */
function follow(iterable: AsyncIterable<unknown>) {
  const items: [string, ActivityItem][] = [];
  const iterator = iterable[Symbol.asyncIterator]();
  let stopped = false;
  const done = (async () => {
    for (let next = await iterator.next(); !next.done && !stopped; next = await iterator.next()) {
      items.push(next.value as [string, ActivityItem]);
    }
  })();
  const stop = async () => {
    stopped = true;
    await iterator.return?.(undefined);
  };
  return { items, done, stop };
}

it('reports each run that ends and each refusal, with the figures, to admins only', async () => {
  app = await createTestApp();
  const root = app.callerFor('root', 'admin');
  const alice = app.callerFor('alice');
  const err = await alice.admin.activity({}).catch((e: unknown) => e);
  expect(err instanceof TRPCError && err.code).toBe('FORBIDDEN');

  const feed = follow(await root.admin.activity({}));
  await until(() => expect(feed.items.some(([, i]) => i.type === 'metrics')).toBe(true));
  const ok = await alice.runs.start({ query: 'SELECT 1 AS one UNION ALL SELECT 2' });
  const bad = await alice.runs.start({ query: 'SELECT nope FROM nowhere' });
  await alice.admin.metrics().catch(() => undefined);
  await until(() =>
    expect(feed.items.filter(([, i]) => i.type === 'run_finished')).toHaveLength(2),
  );
  await until(() => expect(feed.items.some(([, i]) => i.type === 'refused')).toBe(true));
  const events = feed.items.map(([, i]) => i).filter((i) => i.type !== 'metrics');
  const finished = events.flatMap((e) => (e.type === 'run_finished' ? [e] : []));
  expect(
    finished
      .map((e) => [e.runId, e.userId, e.datasetId, e.status, e.rowCount, e.errorCode])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
  ).toEqual(
    [
      [ok.runId, 'alice', 'shop', 'completed', 2, null],
      [bad.runId, 'alice', 'shop', 'failed', null, 'SQL_SYNTAX'],
    ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
  );
  for (const e of finished) expect(e.durationMs).toBeGreaterThanOrEqual(0);
  // The feed opens with the latest few events: Alice's refused try at it is one of them.
  expect(
    events.flatMap((e) => (e.type === 'refused' ? [[e.reason, e.userId, e.target]] : [])),
  ).toEqual([
    ['forbidden', 'alice', 'admin.activity'],
    ['forbidden', 'alice', 'admin.metrics'],
  ]);
  // Stored events carry their seq as the tracked id; figures the seq before them and a counter.
  for (const [id, item] of feed.items) {
    if (item.type === 'metrics') expect(id).toMatch(/^\d+-\d+$/);
    else expect(id).toBe(String(item.seq));
  }
  // The figures moved with the runs.
  await until(() => {
    const last = feed.items.findLast(([, i]) => i.type === 'metrics')?.[1];
    expect(last?.type === 'metrics' && last.metrics.runs.byStatus).toMatchObject({
      completed: 1,
      failed: 1,
    });
  });
  await feed.stop();

  // A resume after the first event gets the rest, in order, once.
  const stored = events.map((e) => ('seq' in e ? e.seq : 0));
  const resumed = follow(await root.admin.activity({ lastEventId: String(stored[0]) }));
  await until(() =>
    expect(
      resumed.items.filter(([, i]) => i.type !== 'metrics').map(([, i]) => 'seq' in i && i.seq),
    ).toEqual(stored.slice(1)),
  );
});

it('refuses a restart where the process cannot restart itself', async () => {
  app = await createTestApp();
  const err = await app
    .callerFor('root', 'admin')
    .admin.restart()
    .catch((e: unknown) => e);
  expect(err instanceof TRPCError && [err.code, err.message]).toEqual([
    'PRECONDITION_FAILED',
    'This server cannot restart itself: it runs inside another program.',
  ]);
});
