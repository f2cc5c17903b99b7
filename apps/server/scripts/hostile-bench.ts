// How much one hostile client slows everyone else: health latency p99 while each attack of the
// hostile suite runs, against the same server's idle p99 measured just before (target ≤ 5×), and
// runs.byId of a 4 MB result against parsing and printing its stored text once. Writes its rows
// to .bench/hostile.json for the root `npm run bench` table; asserts nothing.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { ENGINE_ATTACKS, ENGINE_ENV, engineAttack } from '../src/test/hostile/attacks-engine.ts';
import { batchFlood, rebinding, subscriptionIdReuse } from '../src/test/hostile/attacks-flood.ts';
import {
  BIG_RESULT_ENV,
  bigResultRun,
  replayFlood,
  watchersOfBigResult,
} from '../src/test/hostile/attacks-replay.ts';
import { deleteRace, storeBusy, storeFull } from '../src/test/hostile/attacks-store.ts';
import {
  type HealthSample,
  rawHttp,
  siege,
  startTarget,
  type Target,
} from '../src/test/hostile/kit.ts';

const IDLE_S = 4;
const ATTACK_S = 8;
const benchDir = fileURLToPath(new URL('../../../.bench/', import.meta.url));

interface BenchRow {
  id: string;
  measure: string;
  unit: string;
  querylane: number;
  baseline: number;
  baselineLabel: string;
}

function p99(samples: HealthSample[]): number {
  const sorted = samples
    .filter((s) => s.ok)
    .map((s) => s.answeredAt - s.sentAt)
    .sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] ?? Number.NaN;
}

type Attack = (target: Target, signal: AbortSignal, begun: () => void) => Promise<unknown>;

/** The big run is made before the idle measure, so the attack window holds only the replays. */
let bigRunId = '';

const attacks: {
  id: string;
  name: string;
  env?: Record<string, string>;
  setup?: (target: Target) => Promise<void>;
  attack: Attack;
}[] = [
  {
    id: '10a',
    name: 'conversation deleted while runs start into it',
    env: { QUERYLANE_RUNS_PER_MINUTE: '10000' },
    attack: deleteRace,
  },
  { id: '10b', name: 'another process holds the store write lock', attack: storeBusy },
  {
    id: '10c',
    name: 'store full (1 MB cap), wide runs one after another',
    env: { QUERYLANE_STORE_MAX_MB: '1', QUERYLANE_RUNS_PER_MINUTE: '10000' },
    attack: storeFull,
  },
  { id: '10d', name: 'batches of 560 calls (WS + HTTP), frames of 100', attack: batchFlood },
  { id: '10e', name: 'one subscription id used 120 times per socket', attack: subscriptionIdReuse },
  { id: '10f', name: 'DNS rebinding: foreign Host on requests and upgrades', attack: rebinding },
  {
    id: '10g',
    name: '100 replays of a 4 MB result to a socket that stops reading',
    env: BIG_RESULT_ENV,
    setup: async (target) => {
      bigRunId = await bigResultRun(target);
    },
    attack: (target, signal, begun) => replayFlood(target, bigRunId, signal, begun),
  },
  {
    id: '10i',
    name: 'one run watched 100 times (10 sockets) ends with a 700 kB value',
    attack: watchersOfBigResult,
  },
  ...(
    [
      ['10j', 'a 20-level CTE compile bomb, again and again', ENGINE_ATTACKS.compileBomb],
      ['10k', 'SELECT zeroblob(50000000), again and again', ENGINE_ATTACKS.zeroblob],
      ['10l', '2,000 columns × 1,000 rows, again and again', ENGINE_ATTACKS.wide],
      ['10m', 'a sort without end (temp storage), again and again', ENGINE_ATTACKS.endlessSort],
    ] as const
  ).map(([id, name, query]) => ({
    id,
    name,
    env: ENGINE_ENV,
    attack: (target: Target, signal: AbortSignal, begun: () => void) =>
      engineAttack(target, query, signal, begun),
  })),
];

const rows: BenchRow[] = [];
for (const { id, name, env, setup, attack } of attacks) {
  const target = await startTarget(env);
  try {
    await setup?.(target);
    const idle = await siege(target, IDLE_S, async (signal, begun) => {
      begun();
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
    });
    const attacked = await siege(target, ATTACK_S, (signal, begun) =>
      attack(target, signal, begun),
    );
    const row = {
      id,
      measure: `health p99 while: ${name}`,
      unit: 'ms',
      querylane: p99(attacked.samples),
      baseline: p99(idle.samples),
      baselineLabel: 'same server idle',
    };
    rows.push(row);
    console.log(
      `${name}: health p99 ${row.querylane.toFixed(1)} ms under attack (${attacked.samples.length} requests) vs ${row.baseline.toFixed(1)} ms idle (${idle.samples.length})`,
    );
  } finally {
    await target.stop();
  }
}

// runs.byId of a 4 MB result, against the least a server could do: parse and print its text.
{
  const target = await startTarget(BIG_RESULT_ENV);
  try {
    const runId = await bigResultRun(target);
    // Raw HTTP: the server's time to answer, without the client decoding the blob after.
    const path = `/trpc/runs.byId?input=${encodeURIComponent(JSON.stringify({ json: { runId } }))}`;
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const res = await rawHttp(target.url, { path });
      if (res.status !== 200) throw new Error(`runs.byId answered ${res.status}`);
      times.push(performance.now() - t0);
    }
    const db = new Database(join(target.dataDir, 'querylane.db'), { readonly: true });
    const text = db.prepare('SELECT result FROM runs WHERE id = ?').pluck().get(runId) as string;
    db.close();
    const floor: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      JSON.stringify({ result: { data: JSON.parse(text) } });
      floor.push(performance.now() - t0);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    rows.push({
      id: '10n',
      measure: 'runs.byId of a 4 MB result over HTTP, server side (median of 5)',
      unit: 'ms',
      querylane: median(times),
      baseline: median(floor),
      baselineLabel: 'JSON.parse + JSON.stringify of its stored text',
    });
    console.log(
      `runs.byId 4 MB: ${median(times).toFixed(1)} ms; parse + print: ${median(floor).toFixed(1)} ms`,
    );
  } finally {
    await target.stop();
  }
}

mkdirSync(benchDir, { recursive: true });
writeFileSync(
  join(benchDir, 'hostile.json'),
  `${JSON.stringify({ source: 'apps/server/scripts/hostile-bench.ts', at: new Date().toISOString(), rows }, null, 2)}\n`,
);
process.exit(0);
