import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { QueryError, RunCancelledError } from './errors.ts';
import { DEFAULT_RUN_LIMITS, MAX_PLAN_BYTES, MAX_PLAN_STEPS } from './limits.ts';
import { SqlWorkerPool } from './pool.ts';
import { alive, doublingCtes, ENDLESS, rejection } from './test/helpers.ts';
import { LIMIT_SIGNALS } from './worker-process.ts';

const HUNDRED =
  'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100) SELECT x FROM c';

let dir: string;
let path: string;
let pool: SqlWorkerPool;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'querylane-runner-'));
  path = join(dir, 'runner.db');
  const db = new Database(path);
  db.exec(`
    CREATE TABLE things (id INTEGER PRIMARY KEY, label TEXT, price REAL, data BLOB);
    INSERT INTO things VALUES (1, 'a', 1.5, x'00ff'), (2, NULL, 2, NULL);
  `);
  db.close();
  pool = new SqlWorkerPool({ size: 1 });
});

afterEach(() => {
  // No query is left running on a worker after its call settled.
  expect(pool.busyPids()).toEqual([]);
});

afterAll(async () => {
  await pool?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SqlWorkerPool.run', () => {
  it('returns rows exactly as SQLite does, with declared column types', async () => {
    const out = await pool.run({
      path,
      sql: 'SELECT id, label, price, data, price * 2 AS twice FROM things ORDER BY id',
    });
    expect(out.columns).toEqual([
      { name: 'id', type: 'INTEGER' },
      { name: 'label', type: 'TEXT' },
      { name: 'price', type: 'REAL' },
      { name: 'data', type: 'BLOB' },
      { name: 'twice', type: null },
    ]);
    expect(out.rows).toEqual([
      [1, 'a', 1.5, Uint8Array.of(0, 255), 3],
      [2, null, 2, null, 4],
    ]);
    expect(out.rows[0]?.[3]).toBeInstanceOf(Uint8Array);
    expect(out.rowCount).toBe(2);
    expect(out.truncated).toBe(false);
  });

  it('keeps maxRows rows but counts them all', async () => {
    const out = await pool.run({ path, sql: HUNDRED, maxRows: 10 });
    expect(out.rows).toEqual(Array.from({ length: 10 }, (_, i) => [i + 1]));
    expect(out.rowCount).toBe(100);
    expect(out.truncated).toBe(true);
  });

  it('stops a query that runs past its time limit, and its worker is gone', async () => {
    let pid = 0;
    const err = await rejection(
      pool.run({
        path,
        sql: ENDLESS,
        timeoutMs: 300,
        onStart: (worker) => (pid = worker),
      }),
    );
    expect(alive(pid)).toBe(false);
    expect(err).toBeInstanceOf(QueryError);
    expect(err).toMatchObject({
      code: 'TIMEOUT',
      message: 'The query ran longer than 300 ms.',
      hint: 'Narrow the query or add a LIMIT',
      retryable: true,
    });
  });

  it('cancels a running query and the worker process is gone', async () => {
    const controller = new AbortController();
    let started = false;
    const run = rejection(
      pool.run({ path, sql: ENDLESS, signal: controller.signal, onStart: () => (started = true) }),
    );
    await expect.poll(() => started, { timeout: 30_000 }).toBe(true);
    const [pid] = pool.busyPids();
    expect(pid).toBeTypeOf('number');
    expect(alive(pid as number)).toBe(true);

    controller.abort('User pressed stop');
    const err = await run;
    expect(err).toBeInstanceOf(RunCancelledError);
    expect((err as Error).message).toBe('User pressed stop');
    expect(pool.busyPids()).toEqual([]);
    expect(alive(pid as number)).toBe(false);
  });

  it('does not hand a query to a worker when already aborted', async () => {
    const served = pool.stats().served;
    const err = await rejection(pool.run({ path, sql: 'SELECT 1', signal: AbortSignal.abort() }));
    expect(err).toBeInstanceOf(RunCancelledError);
    expect((err as Error).message).toBe('Cancelled');
    expect(pool.stats().served).toBe(served);
  });

  it('reports a failure while running as SQL_RUNTIME', async () => {
    const err = await rejection(pool.run({ path, sql: 'SELECT abs(-9223372036854775808)' }));
    expect(err).toMatchObject({ code: 'SQL_RUNTIME', message: 'integer overflow' });
  });

  it('plans on request, cut at its cap, before the read-only verdict', async () => {
    const seen: string[] = [];
    let plan: { steps: unknown[]; more: boolean } | undefined;
    const out = await pool.run({
      path,
      sql: doublingCtes(8),
      plan: true,
      onPlanned: (steps, more) => {
        seen.push('planned');
        plan = { steps, more };
      },
      onValidated: () => seen.push('validated'),
    });
    expect(out.rows).toEqual([[256]]);
    expect(seen).toEqual(['planned', 'validated']);
    expect(plan?.more).toBe(true);
    expect(plan?.steps).toHaveLength(MAX_PLAN_STEPS);
    expect(plan?.steps[0]).toEqual({
      id: expect.any(Number),
      parent: 0,
      detail: expect.any(String),
    });
    expect(JSON.stringify(plan?.steps).length).toBeLessThan(MAX_PLAN_BYTES + 20 * MAX_PLAN_STEPS);
  });

  it('fails a bind parameter with an SQL code, not an internal error', async () => {
    for (const sql of ['SELECT ?', 'SELECT :name', 'SELECT * FROM things WHERE id = @id']) {
      const err = await rejection(pool.run({ path, sql, plan: true }));
      expect(err).toMatchObject({
        code: 'SQL_SYNTAX',
        message: 'The query has a parameter (?, :name, @name or $name).',
      });
    }
  });

  it('refuses to write even if handed a write', async () => {
    const err = await rejection(pool.run({ path, sql: "INSERT INTO things (label) VALUES ('x')" }));
    expect(err).toMatchObject({ code: 'SQL_NOT_READ_ONLY' });
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT count(*) FROM things').pluck().get()).toBe(2);
    db.close();
  });
});

describe('sql worker watchdog', () => {
  const worker = fileURLToPath(new URL('./sql-worker.mjs', import.meta.url));
  const JOB = {
    type: 'job',
    id: 1,
    plan: false,
    ...DEFAULT_RUN_LIMITS,
    maxPlanSteps: MAX_PLAN_STEPS,
    maxPlanBytes: MAX_PLAN_BYTES,
  };
  const LIMITS = { memoryBytes: 512 * 1024 * 1024, tempBytes: 1024 ** 3, signals: LIMIT_SIGNALS };
  const goBetweens: ChildProcess[] = [];

  afterAll(() => {
    for (const p of goBetweens) p.kill('SIGKILL');
  });

  /**
   * Starts a go-between process that forks the SQL worker on an endless query, bypassing
   * runSql, and reports the worker's pid; with `orphan` it then exits without killing it.
   */
  function startWorker(opts: { timeoutMs: number; orphan: boolean }): {
    pid: Promise<number>;
    exit: Promise<unknown>;
  } {
    const code = `
      const { fork } = require('node:child_process');
      const w = fork(${JSON.stringify(worker)}, [${JSON.stringify(JSON.stringify(LIMITS))}], {
        execArgv: [], serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      });
      const job = ${JSON.stringify({ ...JOB, sql: ENDLESS })};
      job.path = process.argv[1];
      job.timeoutMs = ${opts.timeoutMs};
      w.on('message', (m) => {
        if (m.type === 'ready') w.send(job, () => process.send(w.pid, () => ${opts.orphan} && process.exit(0)));
      });
      w.on('exit', (code, signal) => process.send({ code, signal }));`;
    const goBetween = spawn(process.execPath, ['-e', code, path], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    goBetweens.push(goBetween);
    const messages: unknown[] = [];
    const waiting: (() => void)[] = [];
    goBetween.on('message', (m) => {
      messages.push(m);
      for (const wake of waiting.splice(0)) wake();
    });
    const next = (n: number) =>
      new Promise<unknown>((resolve) => {
        const check = () => (messages.length >= n ? resolve(messages[n - 1]) : waiting.push(check));
        check();
      });
    return { pid: next(1) as Promise<number>, exit: next(2) };
  }

  it('kills the worker when its parent died without killing it', async () => {
    const pid = await startWorker({ timeoutMs: 600_000, orphan: true }).pid;
    await expect.poll(() => alive(pid), { timeout: 30_000 }).toBe(false);
  });

  it('kills the worker past its deadline when its parent does not', async () => {
    const started = startWorker({ timeoutMs: 0, orphan: false });
    const pid = await started.pid;
    // Nobody but the watchdog sends SIGKILL here; a crash would exit with a code.
    expect(await started.exit).toEqual({ code: null, signal: 'SIGKILL' });
    expect(alive(pid)).toBe(false);
  });
});
