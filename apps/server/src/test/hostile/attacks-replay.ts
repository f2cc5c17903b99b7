// Reading results back: a run with a 4 MB result, replayed a hundred times over one socket that
// stops reading. Before, that held the event loop for minutes; now the socket paces the replays.
import { subscribeAll } from '../harness.ts';
import { openSocket } from './attacks-flood.ts';
import { pause, type Target } from './kit.ts';

/** Budgets that let a run keep a 4 MB value (the defaults keep 1 MiB values, 2 MiB results). */
export const BIG_RESULT_ENV = {
  QUERYLANE_MAX_VALUE_BYTES: String(8 * 1024 * 1024),
  QUERYLANE_MAX_RESULT_BYTES: String(8 * 1024 * 1024),
};

/** A completed run whose result holds one 4 MB blob (on a target started with BIG_RESULT_ENV). */
export async function bigResultRun(target: Target): Promise<string> {
  const { trpc } = target.client;
  const { runId } = await trpc.runs.start.mutate({ query: 'SELECT randomblob(4000000) AS b' });
  const end = (await subscribeAll(trpc, runId)).at(-1);
  if (end?.type !== 'completed') throw new Error(`the big run ended ${end?.type}`);
  return runId;
}

export interface ReplayOutcome {
  /** Sockets the attacker opened (one per round). */
  rounds: number;
}

/** A socket that stops reading asks for the big run's events 100 times, and holds on. */
export async function replayFlood(
  target: Target,
  runId: string,
  signal: AbortSignal,
  begun: () => void,
): Promise<ReplayOutcome> {
  const opened = await openSocket(target.url);
  if ('status' in opened) throw new Error(`upgrade refused with ${opened.status}`);
  opened.ws.pause();
  const subscribe = (id: number) => ({
    id,
    method: 'subscription',
    params: { path: 'runs.events', input: { json: { runId } } },
  });
  opened.ws.send(JSON.stringify(Array.from({ length: 100 }, (_, i) => subscribe(i + 1))));
  begun();
  await pause(2_000_000_000, signal);
  opened.ws.terminate();
  return { rounds: 1 };
}

/** About a second of counting, then a value of 700 kB: watchers subscribe while it runs. */
export const BIG_FINALE = `SELECT randomblob(700000) AS b, (SELECT count(*) FROM (WITH RECURSIVE
c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 5000000) SELECT x FROM c)) AS n`;

export interface WatchOutcome {
  runId: string;
  /** Per subscription (10 sockets × 10), the text of the frame carrying its `completed` event. */
  completed: string[];
}

/**
 * One client watches one run a hundred times (10 sockets, 10 subscriptions each, all reading)
 * as it ends with a big result: every watcher gets the result at once.
 */
export async function watchersOfBigResult(
  target: Target,
  signal: AbortSignal,
  begun: () => void,
): Promise<WatchOutcome> {
  const { runId } = await target.client.trpc.runs.start.mutate({ query: BIG_FINALE });
  const sockets = await Promise.all(Array.from({ length: 10 }, () => openSocket(target.url)));
  const completed: string[] = [];
  for (const [s, socket] of sockets.entries()) {
    if ('status' in socket) throw new Error(`upgrade refused with ${socket.status}`);
    socket.ws.on('message', (m) => {
      const text = String(m);
      if (text.includes('"completed"')) completed.push(text);
    });
    const subscribe = (i: number) => ({
      id: s * 10 + i,
      method: 'subscription',
      params: { path: 'runs.events', input: { json: { runId } } },
    });
    socket.ws.send(JSON.stringify(Array.from({ length: 10 }, (_, i) => subscribe(i))));
  }
  begun();
  // Every watcher's end, however slow the machine (given up after two minutes), then the window.
  const giveUp = AbortSignal.timeout(120_000);
  while (completed.length < 100 && !giveUp.aborted) await pause(20, giveUp);
  await pause(2_000_000_000, signal);
  for (const socket of sockets) if (!('status' in socket)) socket.ws.terminate();
  return { runId, completed };
}
