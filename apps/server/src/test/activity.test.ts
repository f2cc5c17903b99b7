// The admin's live feed over the wire: a dashboard that follows admin.activity while 50 runs end
// (its socket dropped twice on the way) sees each of them once; connections come and go in it;
// anyone but an admin is refused.
import type { ActivityOutput } from '@querylane/api';
import { expect, it } from 'vitest';
import type { TestClient } from './harness.ts';
import { clientOf, codeOf, peopleServer } from './people.ts';
import { until } from './scope.ts';

function followActivity(client: TestClient) {
  const items: { id: string; item: ActivityOutput }[] = [];
  let failure: unknown;
  const sub = client.trpc.admin.activity.subscribe(
    { lastEventId: null },
    {
      onData: ({ id, data }) => items.push({ id, item: data }),
      onError: (err) => {
        failure = err;
      },
    },
  );
  return {
    items,
    events: () => items.flatMap(({ item }) => (item.type === 'metrics' ? [] : [item])),
    failure: () => failure,
    stop: () => sub.unsubscribe(),
  };
}

it('shows a dashboard all of 50 runs that end while it watches, each once, through dropped sockets', async () => {
  const server = await peopleServer({
    security: { runsPerMinute: 10_000 },
    maxConcurrentRuns: 4,
  });
  const root = clientOf(server.url, 'root');
  const feed = followActivity(root);
  await until(() => expect(feed.items.some(({ item }) => item.type === 'metrics')).toBe(true));
  const people = (['alice', 'bob', 'carol'] as const).map((p) => clientOf(server.url, p));
  const started: string[] = [];
  const rootSocket = () =>
    [...server.connections.live].find((c) => c.identity?.userId === 'root' && c.socket);
  for (let i = 0; i < 50; i++) {
    const who = people[i % 3] as (typeof people)[number];
    const query = i % 10 === 9 ? 'SELECT * FROM no_such_table' : `SELECT ${i} AS n`;
    started.push((await who.trpc.runs.start.mutate({ query })).runId);
    if (i === 15 || i === 35) rootSocket()?.socket?.terminate();
  }
  await until(() =>
    expect(feed.events().filter((e) => e.type === 'run_finished')).toHaveLength(50),
  );
  const finished = feed.events().flatMap((e) => (e.type === 'run_finished' ? [e] : []));
  expect(new Set(finished.map((e) => e.runId))).toEqual(new Set(started));
  expect(finished.filter((e) => e.status === 'failed').map((e) => e.errorCode)).toEqual(
    Array(5).fill('SQL_SYNTAX'),
  );
  const completed = finished.filter((e) => e.status === 'completed');
  expect(completed).toHaveLength(45);
  for (const e of completed)
    expect([e.rowCount, e.errorCode, e.datasetId]).toEqual([1, null, 'shop']);
  // Each stored event once, in order, across the two drops.
  const seqs = feed.events().map((e) => e.seq);
  expect(seqs).toEqual(seqs.map((_, i) => (seqs[0] ?? 0) + i));
  expect(feed.failure()).toBeUndefined();
  // The figures caught up with the runs without anyone asking.
  await until(() => {
    const last = feed.items.findLast(({ item }) => item.type === 'metrics')?.item;
    expect(last?.type === 'metrics' && last.metrics.runs.byStatus).toMatchObject({
      completed: 45,
      failed: 5,
    });
  });
});

it('reports connections opening and closing, and refuses a non-admin with FORBIDDEN', async () => {
  const server = await peopleServer();
  const root = clientOf(server.url, 'root');
  const feed = followActivity(root);
  await until(() => expect(feed.items.some(({ item }) => item.type === 'metrics')).toBe(true));
  const alice = clientOf(server.url, 'alice');
  const refused = await new Promise<unknown>((resolve) => {
    const sub = alice.trpc.admin.activity.subscribe(
      { lastEventId: null },
      {
        onData: () => resolve(new Error('data reached a non-admin')),
        onError: (err) => {
          sub.unsubscribe();
          resolve(err);
        },
      },
    );
  });
  expect(await codeOf(Promise.reject(refused))).toBe('FORBIDDEN');
  expect(await codeOf(alice.trpc.admin.restart.mutate())).toBe('FORBIDDEN');
  const connectionEvents = () =>
    feed
      .events()
      .flatMap((e) =>
        e.type === 'connection_opened' || e.type === 'connection_closed' ? [e] : [],
      );
  const opened = await until(() => {
    const e = connectionEvents().find((x) => x.userId === 'alice');
    expect(e).toBeDefined();
    return e;
  });
  alice.close();
  await until(() =>
    expect(
      connectionEvents()
        .filter((e) => e.connectionId === opened?.connectionId)
        .map((e) => [e.type, e.userId, e.ip]),
    ).toEqual([
      ['connection_opened', 'alice', opened?.ip],
      ['connection_closed', 'alice', opened?.ip],
    ]),
  );
  expect(
    feed.events().flatMap((e) => (e.type === 'refused' ? [[e.reason, e.userId, e.target]] : [])),
  ).toEqual([
    ['forbidden', 'alice', 'admin.activity'],
    ['forbidden', 'alice', 'admin.restart'],
  ]);
});
