// Reading results back: a run with a 4 MB result, replayed a hundred times over one socket that
// stops reading. Before, that held the event loop for minutes; now the socket paces the replays.
import { subscribeAll } from '../harness.ts';
import { openSocket } from './attacks-flood.ts';
import { pause, type Target } from './kit.ts';

/** A completed run whose result holds one 4 MB blob. */
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
