import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { QueryError, RunCancelledError } from './errors.ts';
import {
  liveSqlWorkers,
  runSql,
  spareSqlWorkerPid,
  stopSqlWorkers,
  warmSqlWorker,
} from './runner.ts';

const HUNDRED =
  'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100) SELECT x FROM c';
// Never finishes on its own: only a timeout or a cancel ends it.
const ENDLESS =
  'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c';

let dir: string;
let path: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'querylane-runner-'));
  path = join(dir, 'runner.db');
  const db = new Database(path);
  db.exec(`
    CREATE TABLE things (id INTEGER PRIMARY KEY, label TEXT, price REAL, data BLOB);
    INSERT INTO things VALUES (1, 'a', 1.5, x'00ff'), (2, NULL, 2, NULL);
  `);
  db.close();
});

afterEach(() => {
  expect(liveSqlWorkers()).toEqual([]);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** True while a process with this id runs (a zombie, dead but not yet reaped, does not). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true; // no /proc: kill(pid, 0) is all we know
  }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to reject');
}

describe('runSql', () => {
  it('returns rows exactly as SQLite does, with declared column types', async () => {
    const out = await runSql({
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
    const out = await runSql({ path, sql: HUNDRED, maxRows: 10 });
    expect(out.rows).toEqual(Array.from({ length: 10 }, (_, i) => [i + 1]));
    expect(out.rowCount).toBe(100);
    expect(out.truncated).toBe(true);
  });

  it('stops a query that runs past its time limit', async () => {
    const err = await rejection(runSql({ path, sql: ENDLESS, timeoutMs: 300 }));
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
      runSql({ path, sql: ENDLESS, signal: controller.signal, onStart: () => (started = true) }),
    );
    await expect.poll(() => started, { timeout: 30_000 }).toBe(true);
    const [pid] = liveSqlWorkers();
    expect(pid).toBeTypeOf('number');
    expect(alive(pid as number)).toBe(true);

    controller.abort('User pressed stop');
    const err = await run;
    expect(err).toBeInstanceOf(RunCancelledError);
    expect((err as Error).message).toBe('User pressed stop');
    expect(liveSqlWorkers()).toEqual([]);
    expect(alive(pid as number)).toBe(false);
  });

  it('does not start a worker when already aborted', async () => {
    const err = await rejection(runSql({ path, sql: 'SELECT 1', signal: AbortSignal.abort() }));
    expect(err).toBeInstanceOf(RunCancelledError);
    expect((err as Error).message).toBe('Cancelled');
  });

  it('reports a failure while running as SQL_RUNTIME', async () => {
    const err = await rejection(runSql({ path, sql: 'SELECT abs(-9223372036854775808)' }));
    expect(err).toMatchObject({ code: 'SQL_RUNTIME', message: 'integer overflow' });
  });

  it('refuses to write even if handed a write', async () => {
    const err = await rejection(runSql({ path, sql: "INSERT INTO things (label) VALUES ('x')" }));
    expect(err).toMatchObject({ code: 'SQL_NOT_READ_ONLY' });
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT count(*) FROM things').pluck().get()).toBe(2);
    db.close();
  });
});

describe('spare sql worker', () => {
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  it('is taken by one query, replaced, never reused, and stopped at shutdown', async () => {
    warmSqlWorker();
    const first = spareSqlWorkerPid();
    expect(first).toBeTypeOf('number');
    const out = await runSql({ path, sql: 'SELECT 7 AS seven' });
    expect(out.rows).toEqual([[7]]);
    expect(liveSqlWorkers()).toEqual([]);
    // The spare that ran the query is gone; a fresh one stands in for the next query.
    await vi.waitFor(() => expect(alive(first as number)).toBe(false));
    await vi.waitFor(() => expect(spareSqlWorkerPid()).toBeTypeOf('number'));
    const second = spareSqlWorkerPid() as number;
    expect(second).not.toBe(first);
    stopSqlWorkers();
    expect(spareSqlWorkerPid()).toBeUndefined();
    await vi.waitFor(() => expect(alive(second)).toBe(false));
  });
});

describe('sql worker watchdog', () => {
  const worker = fileURLToPath(new URL('./sql-worker.mjs', import.meta.url));
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
      const w = fork(${JSON.stringify(worker)}, [], {
        execArgv: [], serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      });
      const job = { path: process.argv[1], sql: ${JSON.stringify(ENDLESS)}, maxRows: 1, timeoutMs: ${opts.timeoutMs} };
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
