// What the rooms tests share: an app per test (closed after it), the tRPC code a call is refused
// with, and Alice's conversation with one finished run, shared with Bob.
import { TRPCError } from '@trpc/server';
import { afterEach } from 'vitest';
import { createTestApp } from './setup.ts';

type App = Awaited<ReturnType<typeof createTestApp>>;

const open: App[] = [];
afterEach(async () => {
  for (const app of open.splice(0)) await app.close();
});

/** The test app over a real in-memory store, closed after the current test. */
export async function testApp(opts: Parameters<typeof createTestApp>[0] = {}): Promise<App> {
  const app = await createTestApp(opts);
  open.push(app);
  return app;
}

export async function code(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof TRPCError)) throw new Error(`expected a TRPCError, got ${String(err)}`);
  return err.code;
}

/** Alice's conversation with one finished run, shared with Bob as `role`. */
export async function sharedRoom(
  role: 'editor' | 'viewer',
  opts: Parameters<typeof createTestApp>[0] = {},
) {
  const app = await testApp({ authMode: 'token', ...opts });
  const alice = app.callerFor('alice');
  const bob = app.callerFor('bob');
  const carol = app.callerFor('carol');
  const { runId, conversationId } = await alice.runs.start({ query: 'SELECT 1 AS one' });
  for await (const _ of await alice.runs.events({ runId })) {
    // drained: the run has ended
  }
  await alice.rooms.share({ conversationId, userId: 'bob', role });
  return { app, alice, bob, carol, runId, conversationId };
}
