// The issue-10 attacks that reach the SQL engine, each through the whole pipeline on a warm
// pool: how it ends, how long it took, and the longest the caller's event loop went without
// running a 5 ms timer meanwhile (the attack must not be it). A script, not a test.
// Run: npm run attacks -w @querylane/engine
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatasetRegistry, runSqlPipeline, SqlWorkerPool } from '../src/index.ts';
import { doublingCtes } from '../src/test/helpers.ts';

const R = (n: number) =>
  `WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r WHERE x < ${n})`;
const columns = Array.from({ length: 2_000 }, (_, i) => `x + ${i} AS c${i}`).join(', ');
const ATTACKS: [string, string][] = [
  ['16-level CTE chain', doublingCtes(16)],
  ['20-level CTE chain', doublingCtes(20)],
  ['SELECT zeroblob(50000000)', 'SELECT zeroblob(50000000)'],
  ['100 × randomblob(1000000)', `${R(100)} SELECT randomblob(1000000) FROM r`],
  ['2,000 columns × 1,000 rows', `${R(1_000)} SELECT ${columns} FROM r`],
  ['a 300 MB text value', "SELECT printf('%.*c', 300000000, 'x')"],
  [
    'unbounded sort (temp files)',
    `${R(20_000_000)} SELECT count(*) FROM (SELECT randomblob(200) AS b FROM r ORDER BY b)`,
  ],
  ['SELECT ?', 'SELECT ?'],
  ['pragma_database_list', 'SELECT file FROM pragma_database_list'],
];

const dir = mkdtempSync(join(tmpdir(), 'querylane-attacks-'));
const registry = DatasetRegistry.open({ dataDir: dir });
const pool = new SqlWorkerPool({ size: 2 });
try {
  await pool.warm();
  console.log('| attack | outcome | time | loop gap | plan event |\n|---|---|--:|--:|--:|');
  for (const [name, query] of ATTACKS) {
    let gap = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      gap = Math.max(gap, now - last);
      last = now;
    }, 5);
    let planBytes = 0;
    const started = performance.now();
    let outcome: string;
    try {
      const result = await runSqlPipeline({
        query,
        datasetId: 'shop',
        registry,
        pool,
        signal: new AbortController().signal,
        emit: (e) => {
          if (e.type === 'plan') planBytes = JSON.stringify(e).length;
        },
      });
      outcome = `completed, ${result.rows.length} of ${result.rowCount} rows kept${result.truncated ? ', truncated' : ''}`;
    } catch (err) {
      outcome = `${(err as { code?: string }).code}: ${(err as Error).message}`;
    }
    clearInterval(ticker);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`| ${name} | ${outcome} | ${seconds} s | ${gap.toFixed(0)} ms | ${planBytes} B |`);
  }
  console.log(`\npool: ${JSON.stringify(pool.stats())}`);
} finally {
  await pool.close();
  registry.close();
  rmSync(dir, { recursive: true, force: true });
}
