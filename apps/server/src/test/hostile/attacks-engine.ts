// Attacks through the SQL a client sends: compile bombs, values and results too big for the
// main thread, temp storage without end, parameters, path probes, and a progress flood. The
// engine runs them in its worker processes under the run's deadline and budgets; each attack
// here starts its query again and again until its signal aborts, and returns how each run ended.
import type { RunEventOutput } from '@querylane/api';
import { doublingCtes } from '@querylane/engine/testing';
import { subscribeAll } from '../harness.ts';
import { pause, type Target } from './kit.ts';

const upTo = (n: number) =>
  `WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r WHERE x < ${n})`;

/**
 * The server these attacks meet: a small temp-storage cap and the progress floor. The deadline is
 * the default's double: what ends each attack must be its own limit even on a loaded machine
 * (the compile bomb passes the 512 MiB worker memory limit within seconds).
 */
export const ENGINE_ENV = {
  QUERYLANE_QUERY_TIMEOUT_MS: '60000',
  // Small, so the sort without end meets it within a second or two.
  QUERYLANE_WORKER_TEMP_BYTES: String(32 * 1024 * 1024),
  QUERYLANE_PROGRESS_MS: '5',
  QUERYLANE_RUNS_PER_MINUTE: '10000',
};

/** The queries, by name. */
export const ENGINE_ATTACKS = {
  compileBomb: doublingCtes(20),
  zeroblob: 'SELECT zeroblob(50000000) AS z',
  manyBlobs: `${upTo(100)} SELECT randomblob(1000000) FROM r`,
  wide: `${upTo(1_000)} SELECT ${Array.from({ length: 2_000 }, (_, i) => `x + ${i} AS c${i}`).join(', ')} FROM r`,
  hugeText: "SELECT printf('%.*c', 300000000, 'x') AS t",
  endlessSort: `${upTo(20_000_000)} SELECT count(*) FROM (SELECT randomblob(200) AS b FROM r ORDER BY b)`,
  parameter: 'SELECT ?',
  pathProbe: 'SELECT file FROM pragma_database_list',
  progressFlood: `${upTo(1_000_000)} SELECT x FROM r`,
} as const;

export interface EngineRound {
  /** Every event of the run, as its subscriber got them. */
  events: RunEventOutput[];
}

export async function engineAttack(
  target: Target,
  query: string,
  signal: AbortSignal,
  begun: () => void,
): Promise<EngineRound[]> {
  const { trpc } = target.client;
  const rounds: EngineRound[] = [];
  while (!signal.aborted) {
    const { runId } = await trpc.runs.start.mutate({ query });
    begun();
    rounds.push({ events: await subscribeAll(trpc, runId) });
    await pause(20, signal);
  }
  return rounds;
}

/** How a run ended: its code when it failed, else what it kept. */
export function endOf(round: EngineRound): string {
  const end = round.events.at(-1);
  if (end?.type === 'failed') return end.error.code;
  if (end?.type === 'completed') return end.result.truncated ? 'completed:truncated' : 'completed';
  return end?.type ?? 'none';
}
