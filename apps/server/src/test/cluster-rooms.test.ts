// Rooms across a cluster: two people on different nodes of three server processes behind HAProxy
// on PostgreSQL and Redis (all real, started here) share a room and see each other live.
import type { ActivityOutput } from '@querylane/api';
import { expect, it } from 'vitest';
import { claims } from './cluster.ts';
import { checkDeliveries } from './cluster-check.ts';
import { useClusterInfra } from './cluster-setup.ts';
import { subscribeAll } from './harness.ts';
import { followRoom } from './people.ts';
import { onCleanup, until } from './scope.ts';

const { cluster, clientOn } = useClusterInfra();

it('shares a room between two people on different nodes: each sees the other’s run, comment and presence live', async () => {
  // node-3 runs nothing: whatever its clients see of a run came from another node.
  const c = await cluster({
    nodeEnv: (i): Record<string, string> => (i === 2 ? { QUERYLANE_MAX_CONCURRENT_RUNS: '0' } : {}),
  });
  // Discovery tells clients they talk to a cluster, with rooms (sign-in is on).
  const discovered = (await (await fetch(`${c.url}/.well-known/querylane`)).json()) as {
    features: Record<string, unknown>;
  };
  expect(discovered.features).toMatchObject({ auth: 'token', rooms: true, cluster: true });
  const alice = await clientOn(c, 'node-1', 'alice');
  const bob = await clientOn(c, 'node-3', 'bob');
  const root = await clientOn(c, 'node-3', 'root');
  const activity: ActivityOutput[] = [];
  const feed = root.trpc.admin.activity.subscribe(
    {},
    { onData: ({ data }) => activity.push(data), onError: () => {} },
  );
  onCleanup(() => feed.unsubscribe());
  const first = await alice.trpc.runs.start.mutate({ query: 'SELECT 1 AS one' });
  const { conversationId } = first;
  await subscribeAll(alice.trpc, first.runId);
  await alice.trpc.rooms.share.mutate({ conversationId, userId: 'bob', role: 'editor' });

  // Each one's room stream on their own node; presence crosses over through Redis.
  const aliceRoom = followRoom(alice, conversationId);
  await until(() => expect(aliceRoom.presence()?.present).toEqual(['alice']));
  const bobRoom = followRoom(bob, conversationId);
  await until(() => expect(bobRoom.presence()?.present).toEqual(['alice', 'bob']));
  await until(() => expect(aliceRoom.presence()?.present).toEqual(['alice', 'bob']));
  await alice.trpc.rooms.typing.mutate({ conversationId, typing: true });
  await until(() => expect(bobRoom.presence()?.typing).toEqual(['alice']));

  // Alice's run: Bob hears it start in the room, and follows it on node-3 to its end.
  const { runId } = await alice.trpc.runs.start.mutate({
    query: 'SELECT 2 AS two',
    conversationId,
  });
  await until(() =>
    expect(bobRoom.events().some((e) => e.type === 'run_started' && e.runId === runId)).toBe(true),
  );
  // Starting a run is sending: she is no longer typing, on every node.
  await until(() => expect(bobRoom.presence()?.typing).toEqual([]));
  const bobSaw = await subscribeAll(bob.trpc, runId);
  expect(bobSaw.at(-1)?.type === 'completed' && bobSaw.at(-1)).toMatchObject({
    result: { rows: [[2]] },
  });
  const counts = await checkDeliveries(c.observer, [{ runId, events: bobSaw }]);
  const [ran] = await claims(c.observer, [runId]);
  expect(ran?.node_id).not.toBe('node-3');

  // Bob's comment on it reaches Alice on node-1.
  const comment = await bob.trpc.comments.add.mutate({
    conversationId,
    runId,
    body: 'Two, as **expected**',
  });
  await until(() =>
    expect(aliceRoom.events().find((e) => e.type === 'comment_added')).toMatchObject({
      comment: { id: comment.id, userId: 'bob', runId, body: comment.body },
    }),
  );
  // Both saw the room log as PostgreSQL stored it from when they opened the room: every seq
  // once, in order.
  const stored = await c.observer.roomHistory.after(conversationId, 0, 1_000);
  expect(stored.map((e) => e.type)).toEqual([
    'run_started',
    'member_added',
    'run_started',
    'comment_added',
  ]);
  const since = stored.slice(2).map((e) => e.seq);
  await until(() => expect(bobRoom.events().map((e) => e.seq)).toEqual(since));
  expect(aliceRoom.events().map((e) => e.seq)).toEqual(since);

  // Bob closes the room: Alice sees him go.
  bobRoom.stop();
  await until(() => expect(aliceRoom.presence()?.present).toEqual(['alice']));

  // The admin's feed on node-3 heard both runs end, though neither ran there.
  await until(() =>
    expect(activity.flatMap((e) => (e.type === 'run_finished' ? [e.runId] : [])).sort()).toEqual(
      [first.runId, runId].sort(),
    ),
  );
  console.log(
    `shared room across nodes: alice on ${alice.node()}, bob on ${bob.node()}, run on ${ran?.node_id}; ${JSON.stringify(counts)}`,
  );
}, 300_000);
