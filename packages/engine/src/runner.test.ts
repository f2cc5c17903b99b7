import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { QueryError, RunCancelledError } from './errors.ts';
import { liveSqlWorkers, runSql } from './runner.ts';

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

/** True while a process with this id exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
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
