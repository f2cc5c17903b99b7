// runs.run: one call starts a run the client named and streams its events; calling it again
// with the same id follows the same run, a resumption never starts a deleted one again, and an
// id is nobody else's to take. Through createCaller over a real in-memory store.
import { afterEach, expect, it } from 'vitest';
import { drain, expectCode } from '../test/calls.ts';
import { createTestApp } from '../test/setup.ts';

type App = Awaited<ReturnType<typeof createTestApp>>;
let app: App;
afterEach(async () => {
  await app?.close();
});

it('starts the run it is named for and streams it, once however often it is called', async () => {
  app = await createTestApp({ concurrency: 2 });
  const alice = app.callerFor('alice');
  const runId = crypto.randomUUID();
  const input = { query: 'SELECT 1 AS one', runId, lastEventId: null };
  const events = await drain(await alice.runs.run(input));
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  expect(events[0]).toMatchObject({ type: 'started', runId, query: 'SELECT 1 AS one' });
  const last = events.at(-1);
  expect(last?.type === 'completed' && last.result.rows).toEqual([[1]]);

  // Called again (a client that never heard back): the same run, replayed, nothing new.
  expect(await drain(await alice.runs.run(input))).toEqual(events);
  expect((await alice.runs.list()).items.map((r) => r.id)).toEqual([runId]);
  // Resumed after its third event: the rest only.
  expect(await drain(await alice.runs.run({ ...input, lastEventId: '3' }))).toEqual(
    events.slice(3),
  );

  // Nobody else's: another user, or another query under the id, is refused; so is a bad id.
  const bob = app.callerFor('bob');
  await expectCode(bob.runs.run(input), 'CONFLICT');
  await expectCode(bob.runs.run({ ...input, lastEventId: '1' }), 'NOT_FOUND');
  await expectCode(alice.runs.run({ ...input, query: 'SELECT 2' }), 'CONFLICT');
  await expectCode(alice.runs.run({ ...input, runId: 'run-1' }), 'BAD_REQUEST');
  expect((await bob.runs.list()).items).toEqual([]);

  // Its conversation deleted, a resumption finds nothing and starts nothing.
  const [run] = (await alice.runs.list()).items;
  await alice.conversations.delete({ conversationId: run?.conversationId ?? '' });
  await expectCode(alice.runs.run({ ...input, lastEventId: '2' }), 'NOT_FOUND');
  expect((await alice.runs.list()).items).toEqual([]);
});
