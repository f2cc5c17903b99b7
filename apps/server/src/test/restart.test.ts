// The server as a real process: killed with -9 mid-run, and stopped with SIGTERM, then started
// again on the same port. The client never resubscribes by hand; tRPC's reconnect and our
// `lastEventId` resume carry every subscription through.
import type { RunEventOutput } from '@querylane/api';
import { expect, it } from 'vitest';
import WebSocket from 'ws';
import { ENDLESS, freshDataDir, removeDir, SLOW, subscribeAll } from './harness.ts';
import { freePort, startServerProcess } from './process.ts';
import { onCleanup, testClient, until } from './scope.ts';

async function serverOn(dataDir: string, port: number, env: Record<string, string> = {}) {
  const server = await startServerProcess({
    dataDir,
    port,
    env: { QUERYLANE_MAX_CONCURRENT_RUNS: '1', ...env },
  });
  onCleanup(() => server.stop());
  return server;
}

const isRunning = (e: RunEventOutput) => e.type === 'stage' && e.stage === 'execute';

it('after kill -9 mid-run: the run ends interrupted, nothing shown is lost, the queue survives', async () => {
  const dataDir = freshDataDir();
  onCleanup(() => removeDir(dataDir));
  const port = await freePort();
  const first = await serverOn(dataDir, port);
  const { trpc } = testClient(first.url);

  const cut = await trpc.runs.start.mutate({ query: ENDLESS });
  const waiting = await trpc.runs.start.mutate({ query: 'SELECT 42 AS answer' });
  const shown = new Map<string, RunEventOutput[]>([
    [cut.runId, []],
    [waiting.runId, []],
  ]);
  const record = (runId: string) => (e: RunEventOutput) => shown.get(runId)?.push(e);
  const cutDone = subscribeAll(trpc, cut.runId, { onEvent: record(cut.runId) });
  const waitingDone = subscribeAll(trpc, waiting.runId, { onEvent: record(waiting.runId) });
  await until(() => {
    expect(shown.get(cut.runId)?.some(isRunning)).toBe(true);
    expect(shown.get(waiting.runId)?.map((e) => e.type)).toEqual(['started', 'queued']);
  });
  const shownBeforeCrash = new Map([...shown].map(([id, events]) => [id, [...events]]));

  await first.crash();
  const second = await serverOn(dataDir, port);
  const [cutEvents, waitingEvents] = await Promise.all([cutDone, waitingDone]);

  // Replayed from the store by a client that saw nothing before.
  const fresh = testClient(second.url).trpc;
  const cutStored = await subscribeAll(fresh, cut.runId);
  const waitingStored = await subscribeAll(fresh, waiting.runId);

  const cutShown = shownBeforeCrash.get(cut.runId) ?? [];
  expect(cutStored.slice(0, cutShown.length)).toEqual(cutShown);
  expect(cutEvents).toEqual(cutStored);
  expect(cutStored.map((e) => e.seq)).toEqual(cutStored.map((_, i) => i + 1));
  expect(cutStored.length).toBe(cutShown.length + 1);
  const end = cutStored.at(-1);
  expect(end?.type === 'failed' && end.error.code).toBe('INTERRUPTED');
  expect((await fresh.runs.byId.query({ runId: cut.runId })).status).toBe('interrupted');

  const waitingShown = shownBeforeCrash.get(waiting.runId) ?? [];
  expect(waitingStored.slice(0, waitingShown.length)).toEqual(waitingShown);
  expect(waitingEvents).toEqual(waitingStored);
  expect(waitingStored.map((e) => e.seq)).toEqual(waitingStored.map((_, i) => i + 1));
  const answer = waitingStored.at(-1);
  expect(answer?.type === 'completed' && answer.result.rows).toEqual([[42]]);

  const again = await trpc.runs.start.mutate({ query: 'SELECT 7 AS n' });
  const done = (await subscribeAll(trpc, again.runId)).at(-1);
  expect(done?.type === 'completed' && done.result.rows).toEqual([[7]]);
  expect(second.output()).toContain('marked 1 run(s) cut off in an earlier process as interrupted');
  expect(second.output()).toContain('queued 1 run(s) an earlier process left waiting');
});

it('on SIGTERM: clients are told to reconnect, the running run finishes, the next process runs the queue', async () => {
  const dataDir = freshDataDir();
  onCleanup(() => removeDir(dataDir));
  const port = await freePort();
  const first = await serverOn(dataDir, port, { QUERYLANE_SHUTDOWN_GRACE_MS: '60000' });
  const { trpc } = testClient(first.url);

  const raw = new WebSocket(`${first.url.replace('http', 'ws')}/trpc`);
  onCleanup(() => raw.terminate());
  const frames: string[] = [];
  raw.on('message', (m) => frames.push(String(m)));
  await new Promise((ok) => raw.once('open', ok));

  const running = await trpc.runs.start.mutate({ query: SLOW });
  const waiting = await trpc.runs.start.mutate({ query: 'SELECT 7 AS seven' });
  const seen: RunEventOutput[] = [];
  const runningDone = subscribeAll(trpc, running.runId, { onEvent: (e) => seen.push(e) });
  const waitingDone = subscribeAll(trpc, waiting.runId);
  await until(() => expect(seen.some(isRunning)).toBe(true));

  const stopped = first.stop(90_000);
  await until(() =>
    expect(frames.map((f) => JSON.parse(f))).toContainEqual({ id: null, method: 'reconnect' }),
  );
  await stopped;
  expect(await first.exited).toEqual({ code: 0, signal: null });
  const second = await serverOn(dataDir, port);
  const [runningEvents, waitingEvents] = await Promise.all([runningDone, waitingDone]);

  const fresh = testClient(second.url).trpc;
  const runningStored = await subscribeAll(fresh, running.runId);
  const waitingStored = await subscribeAll(fresh, waiting.runId);
  expect(runningEvents).toEqual(runningStored);
  expect(runningStored.map((e) => e.seq)).toEqual(runningStored.map((_, i) => i + 1));
  expect(runningStored.at(-1)?.type).toBe('completed');
  expect((await fresh.runs.byId.query({ runId: running.runId })).status).toBe('completed');

  expect(waitingEvents).toEqual(waitingStored);
  expect(waitingStored.map((e) => e.seq)).toEqual(waitingStored.map((_, i) => i + 1));
  const seven = waitingStored.at(-1);
  expect(seven?.type === 'completed' && seven.result.rows).toEqual([[7]]);
  expect(second.output()).toContain('queued 1 run(s) an earlier process left waiting');
  expect(second.output()).not.toContain('cut off');
});
