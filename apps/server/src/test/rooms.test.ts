// Shared rooms over the wire: the real server with token sign-in, the real @trpc/client for each
// person (HTTP for calls, a WebSocket each for streams), raw sockets where one must die quietly.
import { expect, it } from 'vitest';
import WebSocket from 'ws';
import { subscribeAll } from './harness.ts';
import { clientOf, codeOf, followRoom, peopleServer, TOKENS } from './people.ts';
import { onCleanup, until } from './scope.ts';

/** Alice's conversation with one finished run, and clients for alice, bob and carol. */
async function aliceRoom(overrides: Parameters<typeof peopleServer>[0] = {}) {
  const server = await peopleServer(overrides);
  const [alice, bob, carol] = (['alice', 'bob', 'carol'] as const).map((p) =>
    clientOf(server.url, p),
  ) as [ReturnType<typeof clientOf>, ReturnType<typeof clientOf>, ReturnType<typeof clientOf>];
  const { runId, conversationId } = await alice.trpc.runs.start.mutate({
    query: 'SELECT 1 AS one',
  });
  await subscribeAll(alice.trpc, runId);
  return { server, alice, bob, carol, runId, conversationId };
}

it('shares, changes roles and removes, with every change live in the room', async () => {
  const { alice, bob, carol, conversationId } = await aliceRoom();
  const watch = followRoom(alice, conversationId);
  await until(() => expect(watch.presence()?.present).toEqual(['alice']));
  await alice.trpc.rooms.share.mutate({ conversationId, userId: 'bob', role: 'editor' });
  await alice.trpc.rooms.share.mutate({ conversationId, userId: 'carol', role: 'viewer' });
  expect((await bob.trpc.conversations.list.query()).items.map((c) => [c.id, c.role])).toEqual([
    [conversationId, 'editor'],
  ]);
  const bobsRun = await bob.trpc.runs.start.mutate({ query: 'SELECT 2 AS two', conversationId });
  // Carol watches Bob's run through the same run stream its owner uses.
  const seen = await subscribeAll(carol.trpc, bobsRun.runId);
  expect(seen.at(-1)?.type === 'completed' && seen.at(-1)).toMatchObject({
    result: { rows: [[2]] },
  });
  expect(await codeOf(carol.trpc.runs.start.mutate({ query: 'SELECT 3', conversationId }))).toBe(
    'FORBIDDEN',
  );
  await alice.trpc.rooms.setRole.mutate({ conversationId, userId: 'carol', role: 'editor' });
  await carol.trpc.runs.start.mutate({ query: 'SELECT 3', conversationId });
  await carol.trpc.rooms.leave.mutate({ conversationId });
  await alice.trpc.rooms.remove.mutate({ conversationId, userId: 'bob' });
  // The socket's frame and the HTTP answer to `remove` race: wait for the last event itself.
  await until(() =>
    expect(watch.events().at(-1)).toMatchObject({ type: 'member_removed', userId: 'bob' }),
  );
  expect(
    watch.events().map((e) => {
      if (e.type === 'member_added' || e.type === 'member_role_changed') {
        return [e.type, e.member.userId, e.member.role];
      }
      if (e.type === 'member_removed') return [e.type, e.userId, e.why];
      if (e.type === 'run_started') return [e.type, e.userId];
      return [e.type];
    }),
  ).toEqual([
    ['member_added', 'bob', 'editor'],
    ['member_added', 'carol', 'viewer'],
    ['run_started', 'bob'],
    ['member_role_changed', 'carol', 'editor'],
    ['run_started', 'carol'],
    ['member_removed', 'carol', 'left'],
    ['member_removed', 'bob', 'removed'],
  ]);
  const seqs = watch.events().map((e) => e.seq);
  expect(seqs).toEqual(seqs.map((_, i) => (seqs[0] ?? 0) + i));
  expect(await codeOf(bob.trpc.conversations.byId.query({ conversationId }))).toBe('NOT_FOUND');
  expect((await bob.trpc.conversations.list.query()).items).toEqual([]);
});

it('answers a third user NOT_FOUND from every room procedure, and audits it', async () => {
  const { server, alice, bob, carol, runId, conversationId } = await aliceRoom();
  await alice.trpc.rooms.share.mutate({ conversationId, userId: 'bob', role: 'editor' });
  const comment = await bob.trpc.comments.add.mutate({ conversationId, body: 'mine', runId });
  const subscribeRefused = () =>
    new Promise<unknown>((resolve) => {
      const sub = carol.trpc.rooms.events.subscribe(
        { conversationId, lastEventId: null },
        {
          onData: () => resolve(new Error('data reached an outsider')),
          onError: (err) => {
            sub.unsubscribe();
            resolve(err);
          },
        },
      );
    });
  const calls: [string, () => Promise<unknown>][] = [
    ['rooms.byId', () => carol.trpc.rooms.byId.query({ conversationId })],
    ['rooms.members', () => carol.trpc.rooms.members.query({ conversationId })],
    [
      'rooms.share',
      () => carol.trpc.rooms.share.mutate({ conversationId, userId: 'carol', role: 'editor' }),
    ],
    [
      'rooms.setRole',
      () => carol.trpc.rooms.setRole.mutate({ conversationId, userId: 'bob', role: 'viewer' }),
    ],
    ['rooms.remove', () => carol.trpc.rooms.remove.mutate({ conversationId, userId: 'bob' })],
    ['rooms.unshare', () => carol.trpc.rooms.unshare.mutate({ conversationId })],
    ['rooms.leave', () => carol.trpc.rooms.leave.mutate({ conversationId })],
    ['rooms.typing', () => carol.trpc.rooms.typing.mutate({ conversationId, typing: true })],
    ['rooms.events', () => subscribeRefused().then((e) => Promise.reject(e))],
    ['comments.list', () => carol.trpc.comments.list.query({ conversationId })],
    ['comments.add', () => carol.trpc.comments.add.mutate({ conversationId, body: 'hi' })],
    ['comments.edit', () => carol.trpc.comments.edit.mutate({ commentId: comment.id, body: 'x' })],
    ['comments.delete', () => carol.trpc.comments.delete.mutate({ commentId: comment.id })],
    ['conversations.byId', () => carol.trpc.conversations.byId.query({ conversationId })],
    [
      'conversations.rename',
      () => carol.trpc.conversations.rename.mutate({ conversationId, title: 'x' }),
    ],
    ['conversations.delete', () => carol.trpc.conversations.delete.mutate({ conversationId })],
    ['runs.byId', () => carol.trpc.runs.byId.query({ runId })],
    ['runs.list', () => carol.trpc.runs.list.query({ conversationId })],
    ['runs.start', () => carol.trpc.runs.start.mutate({ query: 'SELECT 1', conversationId })],
    ['runs.cancel', () => carol.trpc.runs.cancel.mutate({ runId })],
  ];
  for (const [path, call] of calls) {
    expect([path, await codeOf(call())]).toEqual([path, 'NOT_FOUND']);
  }
  await server.services.audit.settled();
  const rows = await server.stores.audit.list({ limit: 100, reason: 'not_member' });
  expect(rows.map((r) => r.target).sort()).toEqual(calls.map(([path]) => path).sort());
  expect(new Set(rows.map((r) => r.userId))).toEqual(new Set(['carol']));
  // The same answer as for an id nobody used, so a guess learns nothing.
  const messageOf = (p: Promise<unknown>) =>
    p.then(
      () => '',
      (e: Error) => e.message,
    );
  const [foreign, unknown] = await Promise.all([
    messageOf(carol.trpc.rooms.byId.query({ conversationId })),
    messageOf(carol.trpc.rooms.byId.query({ conversationId: 'no-such-room' })),
  ]);
  expect(foreign.replace(conversationId, 'ID')).toBe(unknown.replace('no-such-room', 'ID'));
  // Nothing of the room moved.
  expect(
    (await alice.trpc.comments.list.query({ conversationId })).items.map((c) => c.body),
  ).toEqual(['mine']);
  expect(
    (await alice.trpc.rooms.members.query({ conversationId })).members.map((m) => m.userId),
  ).toEqual(['bob']);
});

it('resumes rooms.events after dropped sockets with every event once, in order', async () => {
  const { server, alice, bob, conversationId } = await aliceRoom({ commentsPerMinute: 10_000 });
  await alice.trpc.rooms.share.mutate({ conversationId, userId: 'bob', role: 'viewer' });
  const { lastEventId } = await bob.trpc.rooms.byId.query({ conversationId });
  const feed = followRoom(bob, conversationId, lastEventId);
  const bobsSocket = () =>
    [...server.connections.live].find((c) => c.identity?.userId === 'bob' && c.socket);
  await until(() => expect(feed.presence()?.present).toContain('bob'));
  let drops = 0;
  for (let i = 0; i < 60; i++) {
    if (i % 10 === 5) {
      // Dropped by the server as a dead network would: no close frame. The next events are
      // stored while Bob is away; his client resumes after the last one it saw.
      const victim = await until(() => {
        const found = bobsSocket();
        expect(found).toBeDefined();
        return found;
      });
      victim?.socket?.terminate();
      drops += 1;
    }
    await (i % 2
      ? alice.trpc.comments.add.mutate({ conversationId, body: `note ${i}` })
      : alice.trpc.conversations.rename.mutate({ conversationId, title: `title ${i}` }));
  }
  await alice.trpc.rooms.remove.mutate({ conversationId, userId: 'bob' });
  await feed.ended;
  const stored = await server.stores.roomHistory.after(conversationId, Number(lastEventId), 10_000);
  expect(drops).toBe(6);
  expect(stored).toHaveLength(61);
  expect(feed.events()).toEqual(stored);
  const ids = feed.items.map((i) => i.id);
  expect(new Set(ids).size).toBe(ids.length);
});

it('drops a member from presence when their socket dies without closing, and counts two tabs once', async () => {
  const { server, alice, bob, conversationId } = await aliceRoom({ pingMs: 150, pongWaitMs: 150 });
  await alice.trpc.rooms.share.mutate({ conversationId, userId: 'bob', role: 'viewer' });
  const watch = followRoom(alice, conversationId);
  await until(() => expect(watch.presence()?.present).toEqual(['alice']));
  // Bob's two tabs: one client, and one raw socket that never answers the server's pings.
  const tab = followRoom(bob, conversationId);
  await until(() => expect(watch.presence()?.present).toEqual(['alice', 'bob']));
  const dead = new WebSocket(`${server.url.replace('http', 'ws')}/trpc?connectionParams=1`);
  onCleanup(() => dead.terminate());
  await new Promise((ok) => dead.once('open', ok));
  dead.send(JSON.stringify({ method: 'connectionParams', data: { token: TOKENS.bob } }));
  dead.send(
    JSON.stringify({
      id: 1,
      method: 'subscription',
      params: { path: 'rooms.events', input: { json: { conversationId, lastEventId: null } } },
    }),
  );
  await until(() =>
    expect(server.services.presence.stats()).resolves.toEqual({ rooms: 1, sessions: 3 }),
  );
  const before = watch.items.length;
  // Bob's first tab closes: he still has the other open, so nothing changes for Alice.
  tab.stop();
  await until(() =>
    expect(server.services.presence.stats()).resolves.toEqual({ rooms: 1, sessions: 2 }),
  );
  expect(watch.presence()?.present).toEqual(['alice', 'bob']);
  // The silent socket is dropped by the keep-alive; Bob is gone.
  const closed = new Promise<number>((ok) => dead.once('close', (code) => ok(code)));
  await until(() => expect(watch.presence()?.present).toEqual(['alice']));
  expect(await closed).toBe(1006);
  expect(
    watch.items.slice(before).map(({ item }) => item.type === 'presence' && item.present),
  ).toEqual([['alice']]);
});

it('relays typing, refuses starts faster than every 1.5 s, and clears on stop and on send', async () => {
  const { server, alice, bob, conversationId } = await aliceRoom();
  await alice.trpc.rooms.share.mutate({ conversationId, userId: 'bob', role: 'editor' });
  const watch = followRoom(bob, conversationId);
  await until(() => expect(watch.presence()?.present).toEqual(['bob']));
  await alice.trpc.rooms.typing.mutate({ conversationId, typing: true });
  await until(() => expect(watch.presence()?.typing).toEqual(['alice']));
  const refused = await alice.trpc.rooms.typing
    .mutate({ conversationId, typing: true })
    .catch((e) => e);
  expect(refused.data?.code).toBe('TOO_MANY_REQUESTS');
  expect(refused.data?.retryAfterMs).toBeGreaterThan(0);
  expect(refused.data?.retryAfterMs).toBeLessThanOrEqual(1_500);
  await alice.trpc.rooms.typing.mutate({ conversationId, typing: false });
  await until(() => expect(watch.presence()?.typing).toEqual([]));
  // Once the gap has passed, a start is taken again; running a query clears it.
  await until(() => alice.trpc.rooms.typing.mutate({ conversationId, typing: true }));
  await until(() => expect(watch.presence()?.typing).toEqual(['alice']));
  await alice.trpc.runs.start.mutate({ query: 'SELECT 1', conversationId });
  await until(() => expect(watch.presence()?.typing).toEqual([]));
  await server.services.audit.settled();
  expect(
    (await server.stores.audit.list({ limit: 10, reason: 'typing_rate' })).length,
  ).toBeGreaterThan(0);
});

it('holds the member limit and keeps comments short and sanitised', async () => {
  const { alice, bob, carol, conversationId } = await aliceRoom({ roomMaxMembers: 1 });
  await alice.trpc.rooms.share.mutate({ conversationId, userId: 'bob', role: 'viewer' });
  const full = await alice.trpc.rooms.share
    .mutate({ conversationId, userId: 'carol', role: 'viewer' })
    .catch((e) => e);
  expect([full.data?.code, full.message]).toEqual([
    'PRECONDITION_FAILED',
    'A room holds at most 1 members besides its owner; remove someone first.',
  ]);
  expect(await codeOf(carol.trpc.rooms.byId.query({ conversationId }))).toBe('NOT_FOUND');
  const watch = followRoom(alice, conversationId);
  const posted = await bob.trpc.comments.add.mutate({
    conversationId,
    body: 'See <img src=x onerror=alert(1)>**this** [link](javascript:alert(1))\u202E!',
  });
  expect(posted.body).toBe('See **this** link)!');
  const tooLong = await bob.trpc.comments.add
    .mutate({ conversationId, body: 'x'.repeat(2_001) })
    .catch((e) => e);
  expect([tooLong.data?.code, tooLong.data?.zodError?.fieldErrors?.body]).toEqual([
    'BAD_REQUEST',
    ['Comments are at most 2,000 characters'],
  ]);
  expect(await codeOf(bob.trpc.comments.add.mutate({ conversationId, body: ' <p></p> ' }))).toBe(
    'BAD_REQUEST',
  );
  await until(() => expect(watch.events().map((e) => e.type)).toEqual(['comment_added']));
  const [added] = watch.events();
  expect(added?.type === 'comment_added' && added.comment).toEqual(posted);
  expect((await alice.trpc.comments.list.query({ conversationId })).items).toEqual([posted]);
});
