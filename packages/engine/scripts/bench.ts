// Times the shop dataset generation and the heaviest realistic demo aggregates, in-process
// and through a warm worker pool (what a run pays). A script, not a test: timings vary.
// Writes the heavy example's comparison to .bench/engine.json for the root `npm run bench` table.
// Run: npm run bench -w @querylane/engine
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { DatasetRegistry, ensureShopDataset, runSqlPipeline, SqlWorkerPool } from '../src/index.ts';

const QUERIES: Record<string, string> = {
  'revenue by category × month': `
    SELECT p.category, substr(o.order_date, 1, 7) AS month,
           round(sum(i.quantity * i.unit_price), 2) AS revenue
    FROM order_items i
    JOIN orders o ON o.id = i.order_id
    JOIN products p ON p.id = i.product_id
    WHERE o.status NOT IN ('cancelled', 'returned')
    GROUP BY p.category, month
    ORDER BY month, p.category`,
  'top customers by revenue': `
    SELECT c.name, c.country, count(DISTINCT o.id) AS orders,
           round(sum(i.quantity * i.unit_price), 2) AS revenue
    FROM customers c
    JOIN orders o ON o.customer_id = c.id
    JOIN order_items i ON i.order_id = o.id
    GROUP BY c.id ORDER BY revenue DESC LIMIT 20`,
  'engagement by platform × category': `
    SELECT s.platform, coalesce(p.category, '(none)') AS category,
           count(*) AS posts, round(avg(s.likes), 1) AS avg_likes
    FROM posts s LEFT JOIN products p ON p.id = s.product_id
    GROUP BY s.platform, category ORDER BY posts DESC`,
  // The SPA's "heavy" example: order items joined to themselves per customer.
  'bought together (heavy example)': `
    WITH cp AS (
      SELECT DISTINCT o.customer_id, oi.product_id
      FROM orders o JOIN order_items oi ON oi.order_id = o.id
    )
    SELECT pa.name AS product, pb.name AS also_bought, count(*) AS customers
    FROM cp a JOIN cp b ON a.customer_id = b.customer_id AND a.product_id < b.product_id
    JOIN products pa ON pa.id = a.product_id JOIN products pb ON pb.id = b.product_id
    GROUP BY a.product_id, b.product_id ORDER BY customers DESC LIMIT 25`,
};

// Three runs keep the whole root `npm run bench` within a few minutes on two cores; the heavy
// example alone takes ~5 s a run in each of the three ways.
const RUNS = 3;
const HEAVY = 'bought together (heavy example)';
const FIRST_ROWS_RUNS = 20;
const benchDir = fileURLToPath(new URL('../../../.bench/', import.meta.url));
const median = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const ms = (n: number): string => `${n.toFixed(1)} ms`;

/** One comparison for the root bench table: Querylane's figure next to its baseline's. */
interface BenchRow {
  id: string;
  measure: string;
  unit: string;
  querylane: number;
  baseline: number;
  baselineLabel: string;
}
const rows: BenchRow[] = [];

const dir = mkdtempSync(join(tmpdir(), 'querylane-bench-'));
try {
  const generated = ensureShopDataset(join(dir, 'shop.db'));
  console.log(`generate shop dataset: ${ms(generated.ms)}`);
  const registry = DatasetRegistry.open({ dataDir: dir });
  const pool = new SqlWorkerPool({ size: 2 });
  await pool.warm();
  const path = registry.get('shop').path;
  const db = new Database(path, { readonly: true });

  for (const [name, sql] of Object.entries(QUERIES)) {
    const direct: number[] = [];
    const worker: number[] = [];
    const workerWall: number[] = [];
    const pipeline: number[] = [];
    // CPU time as well as wall time: on a machine shared with other work, wall time measures
    // the scheduler as much as the query.
    const directCpu: number[] = [];
    const workerCpu: number[] = [];
    let rowCount = 0;
    for (let i = 0; i < RUNS; i++) {
      let t = performance.now();
      const cpu = process.cpuUsage();
      rowCount = db.prepare(sql).raw(true).all().length;
      const used = process.cpuUsage(cpu);
      direct.push(performance.now() - t);
      directCpu.push((used.user + used.system) / 1000);

      t = performance.now();
      const out = await pool.run({ path, sql });
      workerWall.push(performance.now() - t);
      worker.push(out.elapsedMs);
      workerCpu.push(out.cpuMs);

      t = performance.now();
      await runSqlPipeline({
        query: sql,
        datasetId: 'shop',
        registry,
        pool,
        signal: new AbortController().signal,
        emit: () => {},
      });
      pipeline.push(performance.now() - t);
    }
    console.log(
      `${name} (${rowCount} rows): in-process ${ms(median(direct))} (CPU ${ms(median(directCpu))}), in worker ${ms(median(worker))} (${ms(median(workerWall))} with the process hand-off; CPU ${ms(median(workerCpu))}), whole pipeline ${ms(median(pipeline))} (median of ${RUNS})`,
    );
    if (name === HEAVY) {
      const baselineLabel = 'bare better-sqlite3, same SQL, in-process';
      rows.push(
        {
          id: '5',
          measure: 'heavy query: SQL worker, wall time (median)',
          unit: 'ms',
          querylane: median(workerWall),
          baseline: median(direct),
          baselineLabel,
        },
        {
          id: '5d',
          measure: 'heavy query: SQL worker, CPU time of its process (median)',
          unit: 'ms',
          querylane: median(workerCpu),
          baseline: median(directCpu),
          baselineLabel: 'bare better-sqlite3, same SQL, in-process, CPU time',
        },
        {
          id: '5b',
          measure: 'heavy query: whole run pipeline (plan … interpret)',
          unit: 'ms',
          querylane: median(pipeline),
          baseline: median(direct),
          baselineLabel,
        },
      );
    }
  }
  // Cancel: abort a query that never ends on its own, 200 ms in; time until pool.run has
  // settled, which is after the worker process has exited.
  const ENDLESS =
    'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c';
  const cancels: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const controller = new AbortController();
    let abortedAt = 0;
    await pool
      .run({
        path,
        sql: ENDLESS,
        signal: controller.signal,
        onStart: () =>
          setTimeout(() => {
            abortedAt = performance.now();
            controller.abort('bench');
          }, 200),
      })
      .catch(() => {});
    cancels.push(performance.now() - abortedAt);
  }
  console.log(`cancel a running query → worker gone: ${ms(median(cancels))} (median of ${RUNS})`);

  // Start → first rows on a warm pool: a small query through the whole pipeline, timed from the
  // call to its first `rows` event, against the same SQL prepared and read in-process.
  const SMALL = 'SELECT category, count(*) AS n FROM products GROUP BY category ORDER BY category';
  const firstRows: number[] = [];
  const inProcess: number[] = [];
  for (let i = 0; i < FIRST_ROWS_RUNS; i++) {
    await pool.warm(); // a cancel above, or nothing: every worker is idle
    let t = performance.now();
    db.prepare(SMALL).raw(true).all();
    inProcess.push(performance.now() - t);
    t = performance.now();
    let at = 0;
    await runSqlPipeline({
      query: SMALL,
      datasetId: 'shop',
      registry,
      pool,
      signal: new AbortController().signal,
      emit: (e) => {
        if (e.type === 'rows' && at === 0) at = performance.now();
      },
    });
    firstRows.push(at - t);
  }
  console.log(
    `start → first rows (warm): pipeline ${ms(median(firstRows))}, in-process ${ms(median(inProcess))} (median of ${FIRST_ROWS_RUNS})`,
  );
  rows.push({
    id: '5c',
    measure: 'small query: pipeline start → first rows event, warm workers (median)',
    unit: 'ms',
    querylane: median(firstRows),
    baseline: median(inProcess),
    baselineLabel: 'bare better-sqlite3, same SQL, in-process',
  });
  console.log(`pool: ${JSON.stringify(pool.stats())}`);
  await pool.close();

  console.log('\n| row | measure | Querylane | baseline | ratio |\n|---|---|--:|--:|--:|');
  for (const r of rows) {
    const target = r.id === '5' || r.id === '5d' ? ' (target ≤ 1.05×)' : '';
    console.log(
      `| ${r.id} | ${r.measure} | ${ms(r.querylane)} | ${ms(r.baseline)} | ${(r.querylane / r.baseline).toFixed(2)}×${target} |`,
    );
  }

  db.close();
  registry.close();

  mkdirSync(benchDir, { recursive: true });
  writeFileSync(
    join(benchDir, 'engine.json'),
    `${JSON.stringify({ source: '@querylane/engine', at: new Date().toISOString(), runs: RUNS, rows }, null, 2)}\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
