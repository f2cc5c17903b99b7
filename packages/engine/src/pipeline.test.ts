import { rmSync } from 'node:fs';
import type { Result, RunEventInput } from '@querylane/contracts';
import type { RunLimits } from '@querylane/runs';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DatasetRegistry } from './datasets.ts';
import { QueryError, RunCancelledError } from './errors.ts';
import { executeProgress, runSqlPipeline } from './pipeline.ts';
import { SqlWorkerPool } from './pool.ts';
import { alive, ENDLESS } from './test/helpers.ts';
import { freshShopDir } from './testing.ts';

const BY_CATEGORY = `
  SELECT p.category, round(sum(i.quantity * i.unit_price), 2) AS revenue
  FROM order_items i JOIN products p ON p.id = i.product_id
  GROUP BY p.category ORDER BY revenue DESC;`;

let dir: string;
let registry: DatasetRegistry;
let pool: SqlWorkerPool;

beforeAll(() => {
  // A copy of the shop dataset generated once per machine: generating it per suite is slow.
  dir = freshShopDir('querylane-pipeline-');
  registry = DatasetRegistry.open({ dataDir: dir });
  pool = new SqlWorkerPool({ size: 2 });
});

afterEach(() => {
  expect(pool.busyPids()).toEqual([]);
});

afterAll(async () => {
  await pool?.close();
  registry?.close();
  rmSync(dir, { recursive: true, force: true });
});

function run(query: string, opts: { signal?: AbortSignal; limits?: Partial<RunLimits> } = {}) {
  const events: RunEventInput[] = [];
  const saved: Result[] = [];
  const promise = runSqlPipeline({
    query,
    datasetId: 'shop',
    registry,
    pool,
    signal: opts.signal ?? new AbortController().signal,
    emit: (e) => events.push(e),
    ...(opts.limits ? { limits: opts.limits } : {}),
    finalize: (result) => {
      saved.push(result);
      // The result is saved inside the finalize stage, before it reports 99.
      expect(events.at(-1)).toEqual({
        type: 'stage',
        stage: 'finalize',
        progress: 92,
        message: 'Saving result',
      });
    },
  });
  return { events, saved, promise };
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the run to fail');
}

/** Stage events as `stage:progress`, other events by type. */
const shape = (events: RunEventInput[]): string[] =>
  events.map((e) => (e.type === 'stage' ? `${e.stage}:${e.progress}` : e.type));

const isHeartbeat = (e: RunEventInput): boolean =>
  e.type === 'stage' && e.stage === 'execute' && e.message.startsWith('Running…');

/** Every run's events up to the start of execution, as `shape` writes them. */
const THROUGH_EXECUTE = ['plan:10', 'plan', 'plan:15', 'validate:20', 'validate:40', 'execute:40'];

function expectMonotonic(events: RunEventInput[]): void {
  const progress = events.flatMap((e) => (e.type === 'stage' ? [e.progress] : []));
  expect(progress).toEqual([...progress].sort((a, b) => a - b));
}

describe('runSqlPipeline', () => {
  it('emits every stage in order and returns the same rows as SQLite', async () => {
    const { events, saved, promise } = run(BY_CATEGORY);
    const result = await promise;

    // Rows events before the last and heartbeats depend on speed; the rest is fixed.
    const lastRows = events.findLastIndex((e) => e.type === 'rows');
    const fixed = events.filter((e, i) => !isHeartbeat(e) && (e.type !== 'rows' || i === lastRows));
    expect(shape(fixed)).toEqual([
      ...THROUGH_EXECUTE,
      'rows',
      'interpret:75',
      'interpret:90',
      'finalize:92',
      'finalize:99',
    ]);
    expect(fixed[0]).toEqual({
      type: 'stage',
      stage: 'plan',
      progress: 10,
      message: 'Planning query',
    });
    expect(fixed[5]).toEqual({
      type: 'stage',
      stage: 'execute',
      progress: 40,
      message: 'Running on shop',
    });
    expect(fixed[6]).toEqual({ type: 'rows', fetched: 10 });
    expectMonotonic(events);

    const direct = new Database(registry.get('shop').path, { readonly: true });
    const expected = direct.prepare(BY_CATEGORY).raw(true).all();
    const plan = direct.prepare(`EXPLAIN QUERY PLAN ${BY_CATEGORY.trim()}`).all() as {
      id: number;
      parent: number;
      detail: string;
    }[];
    direct.close();

    expect(plan.length).toBeGreaterThan(1);
    expect(events.find((e) => e.type === 'plan')).toEqual({
      type: 'plan',
      steps: plan.map(({ id, parent, detail }) => ({ id, parent, detail })),
    });
    expect(result.rows).toEqual(expected);
    expect(result.rowCount).toBe(10);
    expect(result.truncated).toBe(false);
    expect(result.columns).toEqual([
      { name: 'category', type: 'TEXT' },
      { name: 'revenue', type: 'real' },
    ]);
    expect(result.chart).toEqual({ kind: 'bar', x: 'category', y: 'revenue' });
    expect(result.summary.startsWith('10 rows × 2 columns. revenue ranges from ')).toBe(true);
    expect(saved).toEqual([result]);
  });

  it('truncates to maxRows and says so', async () => {
    const { events, promise } = run('SELECT id, order_date FROM orders ORDER BY id', {
      limits: { maxRows: 5 },
    });
    const result = await promise;
    expect(result.rows).toEqual([
      [1, '2022-01-01'],
      [2, '2022-01-02'],
      [3, '2022-01-02'],
      [4, '2022-01-03'],
      [5, '2022-01-03'],
    ]);
    expect(result.rowCount).toBe(83_000);
    expect(result.truncated).toBe(true);
    expect(result.summary).toBe(
      '83,000 rows × 2 columns, showing the first 5 of 83,000 rows. order_date spans 2022-01-01 to 2022-01-03.',
    );
    // A date and a number, but the number is an id: nothing worth plotting.
    expect(result.chart).toBeUndefined();
    expect(events.findLast((e) => e.type === 'rows')).toEqual({ type: 'rows', fetched: 83_000 });
    expectMonotonic(events);
  });

  it('fails in the plan stage on a syntax error, before anything runs', async () => {
    const { events, promise } = run('SELEC * FROM orders');
    const err = await failure(promise);
    expect(err).toBeInstanceOf(QueryError);
    expect(err).toMatchObject({ code: 'SQL_SYNTAX', message: 'near "SELEC": syntax error' });
    expect(shape(events)).toEqual(['plan:10']);
  });

  it('fails in the validate stage on a write', async () => {
    const { events, promise } = run('DELETE FROM orders');
    expect(await failure(promise)).toMatchObject({ code: 'SQL_NOT_READ_ONLY' });
    expect(shape(events)).toEqual(['plan:10', 'plan', 'plan:15', 'validate:20']);
  });

  it('fails with DATASET_NOT_FOUND for an unknown dataset', async () => {
    const events: RunEventInput[] = [];
    const err = await failure(
      runSqlPipeline({
        query: 'SELECT 1',
        datasetId: 'nope',
        registry,
        pool,
        signal: new AbortController().signal,
        emit: (e) => events.push(e),
      }),
    );
    expect(err).toMatchObject({ code: 'DATASET_NOT_FOUND', hint: 'Available datasets: shop' });
  });

  it('reports heartbeats while a long query runs, then times out', async () => {
    const { events, promise } = run(ENDLESS, { limits: { timeoutMs: 2_500 } });
    expect(await failure(promise)).toMatchObject({ code: 'TIMEOUT' });
    const execute = events.slice(shape(events).indexOf('execute:40') + 1);
    // The 1 s heartbeat timer always fires before the 2.5 s limit.
    expect(execute.length).toBeGreaterThan(0);
    for (const e of execute) {
      expect(isHeartbeat(e)).toBe(true);
      expect(e.type === 'stage' && e.message).toMatch(/^Running… \d+\.\d s$/);
    }
    const progress = execute.map((e) => (e.type === 'stage' ? e.progress : 0));
    expect(new Set(progress).size).toBe(progress.length);
    expectMonotonic(events);
  });

  it('cancels during execution, leaving no worker behind', async () => {
    const controller = new AbortController();
    const { events, promise } = run(ENDLESS, { signal: controller.signal });
    await expect.poll(() => shape(events).includes('execute:40'), { timeout: 30_000 }).toBe(true);
    expect(pool.busyPids()).toHaveLength(1);
    const [pid] = pool.busyPids();
    controller.abort();
    const err = await failure(promise);
    expect(err).toBeInstanceOf(RunCancelledError);
    expect((err as Error).message).toBe('Cancelled');
    expect(pool.busyPids()).toEqual([]);
    expect(alive(pid as number)).toBe(false);
    expect(shape(events).slice(0, THROUGH_EXECUTE.length)).toEqual(THROUGH_EXECUTE);
    expect(events.slice(THROUGH_EXECUTE.length).every(isHeartbeat)).toBe(true);
  });

  it('fails with the error of an emit that throws while the worker runs, and stops it', async () => {
    const storeDown = new Error('store is down');
    const err = await failure(
      runSqlPipeline({
        query: ENDLESS,
        datasetId: 'shop',
        registry,
        pool,
        signal: new AbortController().signal,
        emit: (e) => {
          if (isHeartbeat(e)) throw storeDown;
        },
      }),
    );
    expect(err).toBe(storeDown);
    expect(pool.busyPids()).toEqual([]);
  });

  it('does not start when already cancelled', async () => {
    const { events, promise } = run('SELECT 1', { signal: AbortSignal.abort('Stopped') });
    const err = await failure(promise);
    expect(err).toBeInstanceOf(RunCancelledError);
    expect((err as Error).message).toBe('Stopped');
    expect(events).toEqual([]);
  });
});

describe('executeProgress', () => {
  it('creeps from 41 towards 74', () => {
    expect([0, 1_000, 3_000, 8_000, 20_000, 60_000, 1e9].map(executeProgress)).toEqual([
      41, 43, 50, 61, 71, 73, 74,
    ]);
  });
});
