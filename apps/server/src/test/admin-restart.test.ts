// admin.restart against the server as its own process: it drains as on SIGTERM (the running run
// finishes within the grace period), starts the server again in the same process on the same
// port, and every client stream resumes by itself with nothing lost; with QUERYLANE_RESTART=exit
// the process exits with 75 for a supervisor instead. Both are audited.
import type { ActivityOutput, RunEventOutput } from '@querylane/api';
import { expect, it } from 'vitest';
import { RESTART_EXIT_CODE } from '../server.ts';
import { freshDataDir, removeDir, SLOW, subscribeAll } from './harness.ts';
import { clientOf, followRoom, TOKENS } from './people.ts';
import { freePort, startServerProcess } from './process.ts';
import { onCleanup, until } from './scope.ts';

const tokenEnv = {
  QUERYLANE_AUTH: 'token',
  QUERYLANE_TOKENS: `${TOKENS.alice}:alice,${TOKENS.root}:root:admin`,
  QUERYLANE_MAX_CONCURRENT_RUNS: '1',
  // A loaded machine must not turn the slow run into a TIMEOUT.
  QUERYLANE_QUERY_TIMEOUT_MS: '600000',
};

async function serverProcess(env: Record<string, string>) {
  const dataDir = freshDataDir();
  onCleanup(() => removeDir(dataDir));
  const server = await startServerProcess({
    dataDir,
    port: await freePort(),
    env: { ...tokenEnv, ...env },
  });
  onCleanup(() => server.stop());
  return server;
}

const listening = (output: string) => output.match(/listening on/g)?.length ?? 0;

it('restarts in place: drains, starts again on the same port, and clients resume with nothing lost', {
  timeout: 240_000,
}, async () => {
  const server = await serverProcess({ QUERYLANE_SHUTDOWN_GRACE_MS: '60000' });
  const alice = clientOf(server.url, 'alice');
  const root = clientOf(server.url, 'root');
  const running = await alice.trpc.runs.start.mutate({ query: SLOW });
  const { conversationId } = running;
  const seen: RunEventOutput[] = [];
  const runDone = subscribeAll(alice.trpc, running.runId, { onEvent: (e) => seen.push(e) });
  const room = followRoom(alice, conversationId, '0');
  const activity: ActivityOutput[] = [];
  root.trpc.admin.activity.subscribe(
    { lastEventId: null },
    { onData: ({ data }) => activity.push(data), onError: () => {} },
  );
  await until(() =>
    expect(seen.some((e) => e.type === 'stage' && e.stage === 'execute')).toBe(true),
  );
  await until(() => expect(room.presence()?.present).toEqual(['alice']));

  expect(await root.trpc.admin.restart.mutate()).toEqual({
    restarting: true,
    graceMs: 60_000,
    mode: 'self',
  });
  await until(() => expect(listening(server.output())).toBe(2));
  expect(server.child.exitCode).toBeNull();
  expect(server.output()).toContain('Restart asked by root: draining');

  // The run finished within the grace period; its stream came through whole and in order.
  const events = await runDone;
  expect(events.at(-1)?.type).toBe('completed');
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  const fresh = clientOf(server.url, 'alice');
  const stored = await subscribeAll(fresh.trpc, running.runId);
  expect(events).toEqual(stored);

  // The room stream resumed on the new server: what happens now arrives after what came before.
  await alice.trpc.comments.add.mutate({ conversationId, body: 'after the restart' });
  await until(() =>
    expect(room.events().map((e) => e.type)).toEqual(['run_started', 'comment_added']),
  );
  expect(room.events().map((e) => e.seq)).toEqual([1, 2]);
  await until(() => expect(room.presence()?.present).toEqual(['alice']));

  // The dashboard heard the restart coming, then resumed on the new process's feed, whose
  // numbers all come after the old one's.
  await until(() =>
    expect(activity.some((e) => e.type === 'connection_opened' && e.userId === 'alice')).toBe(true),
  );
  const happened = activity.flatMap((e) => (e.type === 'metrics' ? [] : [e]));
  const restarting = happened.findIndex((e) => e.type === 'restarting');
  expect(happened[restarting]).toMatchObject({ by: 'root', graceMs: 60_000 });
  expect(happened.slice(restarting + 1).map((e) => e.type)).toContain('connection_opened');
  const seqs = happened.map((e) => e.seq);
  expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  expect(new Set(seqs).size).toBe(seqs.length);

  const audit = await root.trpc.admin.audit.query({ kind: 'admin_restart', limit: 10 });
  expect(audit.items.map((r) => [r.userId, r.target, r.detail])).toEqual([
    ['root', 'server', { graceMs: 60_000, mode: 'self' }],
  ]);
});

it('with QUERYLANE_RESTART=exit, drains and exits with 75 for a supervisor', async () => {
  const server = await serverProcess({ QUERYLANE_RESTART: 'exit' });
  const root = clientOf(server.url, 'root');
  expect(await root.trpc.admin.restart.mutate()).toMatchObject({ restarting: true, mode: 'exit' });
  expect(await server.exited).toEqual({ code: RESTART_EXIT_CODE, signal: null });
  expect(server.output()).toContain(`exiting with code ${RESTART_EXIT_CODE}`);
});
