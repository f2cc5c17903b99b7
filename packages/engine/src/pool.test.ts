// The pool's life cycle with real worker processes: reuse, replacement after a kill, forks on
// demand past its size, deaths, the memory limit, and close.
import { mkdtempSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { RunCancelledError } from './errors.ts';
import { SqlWorkerPool } from './pool.ts';
import { alive, ENDLESS, rejection } from './test/helpers.ts';

let dir: string;
let path: string;
const pools: SqlWorkerPool[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'querylane-pool-'));
  path = join(dir, 'pool.db');
  const db = new Database(path);
  db.exec('CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2), (3);');
  db.close();
});

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

// Process starts and exits on a machine shared with other work: wait generously.
const WAIT = { timeout: 30_000 };

const RECURSE = (n: number) =>
  `WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r WHERE x < ${n})`;

function newPool(opts: ConstructorParameters<typeof SqlWorkerPool>[0]): SqlWorkerPool {
  const pool = new SqlWorkerPool(opts);
  pools.push(pool);
  return pool;
}

/** Runs `sql` and reports the pid of the worker that ran it. */
async function runOn(pool: SqlWorkerPool, sql = 'SELECT sum(x) FROM t') {
  let pid = 0;
  const out = await pool.run({ path, sql, onStart: (worker) => (pid = worker) });
  return { pid, out };
}

describe('SqlWorkerPool', () => {
  it('keeps `size` warm workers that serve query after query without a fork', async () => {
    const pool = newPool({ size: 2 });
    await pool.warm();
    const idle = pool.idlePids().sort();
    expect(idle).toHaveLength(2);
    expect(idle.every(alive)).toBe(true);

    const pids: number[] = [];
    for (let i = 0; i < 6; i++) {
      const { pid, out } = await runOn(pool);
      expect(out.rows).toEqual([[6]]);
      pids.push(pid);
    }
    // Every query ran on one of the two warm processes, which are still the pool's.
    expect(pids.every((pid) => idle.includes(pid))).toBe(true);
    expect(pool.idlePids().sort()).toEqual(idle);
    expect(pool.stats()).toMatchObject({
      size: 2,
      idle: 2,
      busy: 0,
      served: 6,
      forked: 2,
      forkedOnDemand: 0,
      killed: 0,
      died: 0,
    });
  });

  it('keeps a worker whose query failed in SQL; a cancel kills only that one and a replacement is warm before the next query', async () => {
    const pool = newPool({ size: 1 });
    await pool.warm();
    const [first] = pool.idlePids();
    await expect(pool.run({ path, sql: 'SELECT nope FROM t' })).rejects.toMatchObject({
      code: 'SQL_SYNTAX',
    });
    expect(pool.idlePids()).toEqual([first]);

    const controller = new AbortController();
    let started = false;
    const cancelled = rejection(
      pool.run({ path, sql: ENDLESS, signal: controller.signal, onStart: () => (started = true) }),
    );
    await vi.waitFor(() => expect(started).toBe(true), WAIT);
    expect(pool.busyPids()).toEqual([first]);
    controller.abort();
    expect(await cancelled).toBeInstanceOf(RunCancelledError);
    expect(alive(first as number)).toBe(false);

    // The replacement is forked in the background; the next query takes it without forking.
    await pool.warm();
    const [second] = pool.idlePids();
    expect(second).not.toBe(first);
    const { pid } = await runOn(pool);
    expect(pid).toBe(second);
    expect(pool.stats()).toMatchObject({ forked: 2, forkedOnDemand: 0, killed: 1, served: 3 });
  });

  it('forks on demand past its size and retires the surplus afterwards', async () => {
    const pool = newPool({ size: 1 });
    await pool.warm();
    const slow =
      'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000) SELECT count(*) FROM c';
    const outs = await Promise.all([runOn(pool, slow), runOn(pool, slow)]);
    expect(outs.map((o) => o.out.rows)).toEqual([[[300000]], [[300000]]]);
    expect(outs[0]?.pid).not.toBe(outs[1]?.pid);
    expect(pool.stats()).toMatchObject({ forkedOnDemand: 1, retired: 1, idle: 1, busy: 0 });
    const retired = outs.map((o) => o.pid).filter((pid) => !pool.idlePids().includes(pid));
    expect(retired).toHaveLength(1);
    await vi.waitFor(() => expect(alive(retired[0] as number)).toBe(false), WAIT);
  });

  it('replaces an idle worker that was killed from outside', async () => {
    const pool = newPool({ size: 1 });
    await pool.warm();
    const [pid] = pool.idlePids();
    process.kill(pid as number, 'SIGKILL');
    await vi.waitFor(() => expect(pool.stats()).toMatchObject({ died: 1, forked: 2 }), WAIT);
    await pool.warm();
    expect(pool.idlePids()).not.toContain(pid);
    expect((await runOn(pool)).out.rows).toEqual([[6]]);
  });

  it('fails a query over the memory limit with RESOURCE_LIMIT and carries on', async () => {
    const pool = newPool({ size: 1, memoryLimitBytes: 160 * 1024 * 1024 });
    await pool.warm();
    const [pid] = pool.idlePids();
    // One string of 300,000 × 2,000 characters, built inside SQLite.
    const big = `${RECURSE(300_000)} SELECT length(group_concat(hex(randomblob(1000)))) FROM r`;
    expect(await rejection(pool.run({ path, sql: big }))).toMatchObject({
      code: 'RESOURCE_LIMIT',
      message: 'The query needed more than the 160 MB of memory a query may use.',
    });
    expect(alive(pid as number)).toBe(false);
    expect(pool.stats()).toMatchObject({ died: 1, killed: 0 });
    expect((await runOn(pool)).out.rows).toEqual([[6]]);
  });

  it('caps the temporary files of one query with RESOURCE_LIMIT', async () => {
    const pool = newPool({ size: 1, tempLimitBytes: 20 * 1024 * 1024 });
    await pool.warm();
    const [pid] = pool.idlePids();
    // A sort of 2,000,000 × 200 random bytes spills ~400 MB to temporary files.
    const sort = `${RECURSE(2_000_000)} SELECT count(*) FROM (SELECT randomblob(200) AS b FROM r ORDER BY b)`;
    let biggest = 0;
    const watch = setInterval(() => {
      try {
        for (const fd of readdirSync(`/proc/${pid}/fd`)) {
          if (readlinkSync(`/proc/${pid}/fd/${fd}`).includes('etilqs_')) {
            biggest = Math.max(biggest, statSync(`/proc/${pid}/fd/${fd}`).size);
          }
        }
      } catch {} // the process or the file is gone
    }, 5);
    const err = await rejection(pool.run({ path, sql: sort })).finally(() => clearInterval(watch));
    expect(err).toMatchObject({
      code: 'RESOURCE_LIMIT',
      message: 'The query needed more than the 20 MB of temporary storage a query may use.',
    });
    // It did spill (this is the limit at work, not the memory one), and was stopped near 20 MB.
    expect(biggest).toBeGreaterThan(0);
    expect(biggest).toBeLessThan(200 * 1024 * 1024);
    expect(alive(pid as number)).toBe(false);
    expect((await runOn(pool)).out.rows).toEqual([[6]]);
  });

  it('close kills every worker; a running query ends INTERRUPTED and none starts after', async () => {
    const pool = newPool({ size: 2 });
    await pool.warm();
    const idle = pool.idlePids();
    let started = false;
    const running = rejection(pool.run({ path, sql: ENDLESS, onStart: () => (started = true) }));
    await vi.waitFor(() => expect(started).toBe(true), WAIT);
    await pool.close();
    expect(await running).toMatchObject({ code: 'INTERRUPTED' });
    expect(idle.map(alive)).toEqual([false, false]);
    expect(pool.stats()).toMatchObject({ idle: 0, busy: 0, starting: 0 });
    await expect(pool.run({ path, sql: 'SELECT 1' })).rejects.toMatchObject({
      code: 'INTERRUPTED',
    });
    expect(pool.stats().forked).toBe(2);
  });
});
