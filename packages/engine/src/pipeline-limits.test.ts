// Hostile queries through the whole SQL pipeline, with real worker processes on the shop
// dataset: compile bombs, oversized values and results, parameters, path probes, event floods.
import { rmSync } from 'node:fs';
import type { RunEventInput } from '@querylane/contracts';
import type { RunLimits } from '@querylane/runs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DatasetRegistry } from './datasets.ts';
import { DEFAULT_RUN_LIMITS, MAX_PLAN_BYTES, MAX_PLAN_STEPS, MIN_PROGRESS_MS } from './limits.ts';
import { PLAN_CUT_STEP, runSqlPipeline } from './pipeline.ts';
import { SqlWorkerPool } from './pool.ts';
import { doublingCtes, rejection } from './test/helpers.ts';
import { freshShopDir } from './testing.ts';

let dir: string;
let registry: DatasetRegistry;
let pool: SqlWorkerPool;

beforeAll(() => {
  // A copy of the shop dataset generated once per machine: generating it per suite is slow.
  dir = freshShopDir('querylane-limits-');
  registry = DatasetRegistry.open({ dataDir: dir });
  pool = new SqlWorkerPool({ size: 1 });
});

afterEach(() => {
  expect(pool.busyPids()).toEqual([]);
});

afterAll(async () => {
  await pool?.close();
  registry?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `query` on shop, recording each event with the time it was emitted. */
function run(query: string, limits: Partial<RunLimits> = {}, on = pool) {
  const events: RunEventInput[] = [];
  const times: number[] = [];
  const promise = runSqlPipeline({
    query,
    datasetId: 'shop',
    registry,
    pool: on,
    limits,
    signal: new AbortController().signal,
    emit: (e) => {
      events.push(e);
      times.push(performance.now());
    },
  });
  return { events, times, promise };
}

const shape = (events: RunEventInput[]): string[] =>
  events.map((e) => (e.type === 'stage' ? `${e.stage}:${e.progress}` : e.type));

const RECURSE = (n: number) =>
  `WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r WHERE x < ${n})`;

describe('the main thread does no work the query controls', () => {
  // The 16 levels prepare in ~2 s here and plan in ~5 s (36 MB of plan); 20 levels
  // cost 16 times that, so the deadline is always reached during prepare, on any machine. The
  // compile also eats memory (past 512 MB in under 2 s here, RESOURCE_LIMIT with the default
  // limit); this pool allows 2 GiB so the 1 s deadline is what ends it.
  it('a 20-level CTE chain compiles in the worker: the caller stays free, it ends TIMEOUT, no plan event', async () => {
    const roomy = new SqlWorkerPool({ size: 1, memoryLimitBytes: 2 * 1024 ** 3 });
    let settled = false;
    const ticks: boolean[] = [];
    // A stand-in for every other request the server answers meanwhile.
    const heartbeat = setInterval(() => ticks.push(settled), 50);
    const { events, promise } = run(doublingCtes(20), { timeoutMs: 1_000 }, roomy);
    const err = await rejection(promise).finally(async () => {
      settled = true;
      clearInterval(heartbeat);
      await roomy.close();
    });
    expect(err).toMatchObject({ code: 'TIMEOUT', message: 'The query ran longer than 1 s.' });
    expect(shape(events)).toEqual(['plan:10']);
    // The old main-thread prepare let no timer fire at all until it had finished.
    expect(ticks.filter((after) => !after).length).toBeGreaterThanOrEqual(5);
  });

  it('a plan is cut at its cap and says so', async () => {
    const { events, promise } = run(doublingCtes(10));
    const result = await promise;
    expect(result.rows).toEqual([[1024]]);
    const plan = events.find((e) => e.type === 'plan');
    if (plan?.type !== 'plan') throw new Error('no plan event');
    expect(plan.steps).toHaveLength(MAX_PLAN_STEPS + 1);
    expect(plan.steps.at(-1)).toEqual(PLAN_CUT_STEP);
    expect(JSON.stringify(plan).length).toBeLessThan(MAX_PLAN_BYTES + 20 * MAX_PLAN_STEPS);
    expect(events).toContainEqual({
      type: 'stage',
      stage: 'plan',
      progress: 15,
      message: `Planned more than ${MAX_PLAN_STEPS} steps`,
    });
  });
});

describe('the byte budget of a result', () => {
  it('fails a value over maxValueBytes with RESULT_TOO_LARGE', async () => {
    const { events, promise } = run('SELECT zeroblob(50000000) AS big');
    expect(await rejection(promise)).toMatchObject({
      code: 'RESULT_TOO_LARGE',
      message: 'Row 1, column "big" holds 47.7 MB; one value may hold at most 1 MB.',
      retryable: false,
    });
    // It failed while executing: nothing after the execute stage but heartbeats.
    const executing = shape(events).indexOf('execute:40');
    expect(executing).toBeGreaterThan(0);
    for (const e of events.slice(executing + 1)) {
      expect(e).toMatchObject({
        type: 'stage',
        stage: 'execute',
        message: expect.stringMatching(/^Running… /),
      });
    }
  });

  it('keeps 100 × 1 MB random blobs only up to maxResultBytes, truncated with a note', async () => {
    const perValue = 16 + Math.ceil(1_000_000 / 3) * 4; // counted at their base64 size
    // The default budget, then a configured one (on fewer rows: the point is the count kept).
    for (const [maxResultBytes, count] of [
      [DEFAULT_RUN_LIMITS.maxResultBytes, 100],
      [5_000_000, 10],
    ] as const) {
      const { promise } = run(`${RECURSE(count)} SELECT randomblob(1000000) AS b FROM r`, {
        maxResultBytes,
      });
      const result = await promise;
      const kept = Math.floor(maxResultBytes / perValue);
      expect(result.rows).toHaveLength(kept);
      expect(result.rows.every(([b]) => b instanceof Uint8Array && b.length === 1_000_000)).toBe(
        true,
      );
      expect(result.rowCount).toBe(count);
      expect(result.truncated).toBe(true);
      expect(result.summary).toContain(
        `Rows after the first ${kept} were left out: a result keeps at most`,
      );
    }
  });

  it('keeps 2,000 columns × 1,000 rows only up to the budget', async () => {
    const columns = Array.from({ length: 2_000 }, (_, i) => `x + ${i} AS c${i}`).join(', ');
    const result = await run(`${RECURSE(1_000)} SELECT ${columns} FROM r`).promise;
    expect(result.columns).toHaveLength(2_000);
    expect(result.rows).toHaveLength(Math.floor(DEFAULT_RUN_LIMITS.maxResultBytes / (2_000 * 16)));
    expect(result.rows[1]?.slice(0, 3)).toEqual([2, 3, 4]);
    expect(result.rowCount).toBe(1_000);
    expect(result.truncated).toBe(true);
  });

  it('a 300 MB text value ends with a clear code, and the next query runs', async () => {
    const err = await rejection(run("SELECT printf('%.*c', 300000000, 'x') AS big").promise);
    // The value is over maxValueBytes; before the worker has measured it, SQLite's copy and
    // JavaScript's may already have crossed the worker's memory limit. Either says so.
    expect(['RESULT_TOO_LARGE', 'RESOURCE_LIMIT']).toContain((err as { code: string }).code);
    expect((await run('SELECT 1 AS one').promise).rows).toEqual([[1]]);
  });
});

describe('smaller holes', () => {
  it('a bind parameter fails with SQL_SYNTAX in the plan stage', async () => {
    const { events, promise } = run('SELECT ?');
    expect(await rejection(promise)).toMatchObject({ code: 'SQL_SYNTAX' });
    expect(shape(events)).toEqual(['plan:10']);
  });

  it.each([
    'SELECT * FROM pragma_database_list',
    'select file from "PRAGMA_DATABASE_LIST"',
    'SELECT * FROM main.[pragma_database_list]',
    'WITH x AS (SELECT * FROM pragma_database_list) SELECT * FROM x',
  ])('does not show the dataset path through %j', async (query) => {
    const { events, promise } = run(query);
    const err = await rejection(promise);
    expect(err).toMatchObject({ code: 'SQL_FORBIDDEN' });
    const path = registry.get('shop').path;
    expect(JSON.stringify([events, err, (err as Error).message])).not.toContain(path);
  });

  it('progressMs 0 is clamped: rows events stay MIN_PROGRESS_MS apart', async () => {
    const { events, times, promise } = run(`${RECURSE(1_000_000)} SELECT x FROM r`, {
      progressMs: 0,
      maxRows: 10,
    });
    const result = await promise;
    expect(result.rowCount).toBe(1_000_000);
    const rows = events.flatMap((e, i) => (e.type === 'rows' ? [{ e, at: times[i] ?? 0 }] : []));
    expect(rows.at(-1)?.e).toEqual({ type: 'rows', fetched: 1_000_000 });
    // All but the last (which reports the final count at once) are paced.
    const paced = rows.slice(0, -1);
    expect(paced.length).toBeGreaterThanOrEqual(1);
    for (let i = 1; i < paced.length; i++) {
      expect((paced[i]?.at ?? 0) - (paced[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(
        MIN_PROGRESS_MS - 1,
      );
    }
  });
});
