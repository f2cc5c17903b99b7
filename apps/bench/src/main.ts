// `npm run bench` ends here: runs the transport comparisons (1–3) and the cluster's (6), adds
// the store (4) and engine (5) rows their workspaces' benches just wrote, prints one markdown
// table with the ratios and writes it all as JSON to .bench/. Loopback only; a few minutes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measure, oneNode, threeNodes } from './cluster.ts';
import { querylaneLatency, rawLatency } from './latency.ts';
import { type BenchRow, markdownTable, median, readStage, type Target } from './report.ts';
import { fanOut, Host, idleMemory } from './transport.ts';

/** Issue 16's targets, on this kind of machine (2 cores): one place for every workspace's rows. */
const TARGETS: Record<string, Target> = {
  '1b': { on: 'ratio', max: 3 },
  '2': { on: 'ratio', max: 3 },
  '3': { on: 'value', max: 3 },
  '3d': { on: 'value', max: 50 },
  '4': { on: 'ratio', min: 0.3 },
  '5': { on: 'ratio', max: 1.05 },
};

const SUBSCRIBERS = 100;
const EVENTS = 2_000;
const FANOUT_ROUNDS = 3;
// Enough that both hosts need new heap pages: the first thousand small sockets of the bare
// host fit in pages it already has, which makes its figure (the baseline) wander by 2×.
const IDLE_CONNECTIONS = 3_000;
const SEQUENTIAL_RUNS = 50;
const CONCURRENT_ROUNDS = 3;

const benchDir = fileURLToPath(new URL('../../../.bench/', import.meta.url));
// `--only memory,fanout,latency` runs a part; `--profile` writes each host's CPU profile to
// .bench/profiles (read it in Chrome's DevTools or with `npx cpupro`).
const { values: args } = parseArgs({
  options: { only: { type: 'string' }, profile: { type: 'boolean', default: false } },
});
const parts = new Set((args.only ?? 'memory,fanout,latency,cluster').split(','));
const profileDir = args.profile ? join(benchDir, 'profiles') : undefined;
const log = (message: string) => process.stderr.write(`bench: ${message}\n`);
const startedAt = new Date();

const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  os: `${platform()} ${release()}`,
  node: process.version,
  loadAverageAtStart: loadavg().map((n) => Number(n.toFixed(2))),
};
log(`${machine.cores} × ${machine.cpu}, node ${machine.node}, load ${machine.loadAverageAtStart}`);

const [querylane, raw] = await Promise.all([
  Host.start('querylane', profileDir),
  Host.start('raw', profileDir),
]);
const details: Record<string, unknown> = {};
const rows: BenchRow[] = [];
const broadcast = 'raw ws broadcast, payload stringified once';
const rawWs = 'raw ws connection';
const echo = 'raw ws request → reply';
try {
  if (parts.has('memory')) {
    // Memory first, while both hosts are fresh.
    log(`idle memory: ${IDLE_CONNECTIONS} connections each`);
    const memQ = await idleMemory(querylane, IDLE_CONNECTIONS);
    const memR = await idleMemory(raw, IDLE_CONNECTIONS);
    details.memory = { querylane: memQ, raw: memR, connections: IDLE_CONNECTIONS };
    rows.push(
      {
        id: '2',
        measure: `idle memory per subscribed connection (server RSS, ${IDLE_CONNECTIONS} connections)`,
        unit: 'KB',
        querylane: memQ.rssPerConnection / 1024,
        baseline: memR.rssPerConnection / 1024,
        baselineLabel: rawWs,
      },
      {
        id: '2b',
        measure: 'idle memory per subscribed connection (server JS heap + external)',
        unit: 'KB',
        querylane: memQ.heapPerConnection / 1024,
        baseline: memR.heapPerConnection / 1024,
        baselineLabel: rawWs,
      },
    );
  }

  if (parts.has('fanout')) {
    log(`fan-out: ${SUBSCRIBERS} subscribers × ${EVENTS} events, ${FANOUT_ROUNDS} rounds each`);
    await fanOut(querylane, 10, 200); // warm-up
    await fanOut(raw, 10, 200);
    const fanQ = [];
    const fanR = [];
    for (let round = 0; round < FANOUT_ROUNDS; round++) {
      // Alternating, so a noisy neighbour slows both sides alike.
      fanQ.push(await fanOut(querylane, SUBSCRIBERS, EVENTS));
      fanR.push(await fanOut(raw, SUBSCRIBERS, EVENTS));
    }
    details.fanOut = { querylane: fanQ, raw: fanR, subscribers: SUBSCRIBERS, events: EVENTS };
    rows.push(
      {
        id: '1',
        measure: `fan-out, ${SUBSCRIBERS} subscribers on one run: delivered events/s`,
        unit: 'events/s',
        querylane: median(fanQ.map((f) => f.deliveredPerSec)),
        baseline: median(fanR.map((f) => f.deliveredPerSec)),
        baselineLabel: broadcast,
      },
      {
        id: '1b',
        measure: 'fan-out: server CPU per delivered event',
        unit: 'µs',
        querylane: median(fanQ.map((f) => f.cpuMicrosPerDelivery)),
        baseline: median(fanR.map((f) => f.cpuMicrosPerDelivery)),
        baselineLabel: broadcast,
      },
    );
  }

  if (parts.has('latency')) {
    log(`latency: ${SEQUENTIAL_RUNS} runs one at a time, then ${CONCURRENT_ROUNDS} × 100 at once`);
    const lat1Q = await querylaneLatency(querylane, 1, SEQUENTIAL_RUNS);
    const lat1R = await rawLatency(raw, 1, SEQUENTIAL_RUNS);
    const lat100Q = await querylaneLatency(querylane, 100, CONCURRENT_ROUNDS);
    const lat100R = await rawLatency(raw, 100, CONCURRENT_ROUNDS);
    details.latency = {
      querylane: { c1: lat1Q, c100: lat100Q },
      raw: { c1: lat1R, c100: lat100R },
    };
    rows.push(
      {
        id: '3',
        measure: 'start → first event p50, 1 run at a time',
        unit: 'ms',
        querylane: lat1Q.p50,
        baseline: lat1R.p50,
        baselineLabel: echo,
      },
      {
        id: '3b',
        measure: 'start → first event p99, 1 run at a time',
        unit: 'ms',
        querylane: lat1Q.p99,
        baseline: lat1R.p99,
        baselineLabel: echo,
      },
      {
        id: '3c',
        measure: 'start → first event p50, 100 runs at once',
        unit: 'ms',
        querylane: lat100Q.p50,
        baseline: lat100R.p50,
        baselineLabel: echo,
      },
      {
        id: '3d',
        measure: 'start → first event p99, 100 runs at once',
        unit: 'ms',
        querylane: lat100Q.p99,
        baseline: lat100R.p99,
        baselineLabel: echo,
      },
    );
  }
} finally {
  await Promise.all([querylane.stop(), raw.stop()]);
}

// 6: the same paths through a cluster, subscribers on other nodes than the runs, against one node.
const problems: string[] = [];
try {
  if (!parts.has('cluster')) throw new Error('not asked for (--only)');
  log('cluster: one node, then three behind HAProxy on PostgreSQL and Redis');
  const single = await oneNode();
  const one = await measure(single).finally(() => single.stop());
  const three = await threeNodes();
  const cluster = await measure(three).finally(() => three.stop());
  details.cluster = { oneNode: one, threeNodes: cluster };
  const oneNodeLabel = 'one node: SQLite, in-process events';
  rows.push(
    {
      id: '6',
      measure:
        'cluster of 3 behind HAProxy, subscribers on other nodes than the runs: delivered events/s (8 runs × 10 subscribers)',
      unit: 'events/s',
      querylane: cluster.delivery.deliveredPerSec,
      baseline: one.delivery.deliveredPerSec,
      baselineLabel: oneNodeLabel,
    },
    {
      id: '6b',
      measure: 'cluster of 3 behind HAProxy: start → first event p99, 100 runs at once',
      unit: 'ms',
      querylane: cluster.latency.p99,
      baseline: one.latency.p99,
      baselineLabel: oneNodeLabel,
    },
  );
} catch (err) {
  problems.push(`the cluster row (${(err as Error).message})`);
}

// The store, engine and hostile-client benches ran just before this one (turbo: bench
// dependsOn ^bench).
const since = new Date(startedAt.getTime() - 30 * 60_000);
for (const name of ['db', 'engine', 'hostile']) {
  const stage = readStage(benchDir, name, since);
  rows.push(...stage.rows);
  if (stage.problem) problems.push(stage.problem);
}
rows.sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
for (const row of rows) {
  const target = TARGETS[row.id];
  if (target) row.target = target;
}

const table = markdownTable(rows);
console.log(
  `\nQuerylane bench, ${startedAt.toISOString()} — ${machine.cores} × ${machine.cpu}, node ${machine.node}\n`,
);
console.log(table);
for (const problem of problems)
  console.log(`\n(missing: ${problem}; run \`npm run bench\` at the root)`);

mkdirSync(benchDir, { recursive: true });
const report = { at: startedAt.toISOString(), machine, rows, details, problems };
writeFileSync(join(benchDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
writeFileSync(join(benchDir, `report-${stamp}.json`), `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nJSON: ${join(benchDir, 'report.json')}`);
