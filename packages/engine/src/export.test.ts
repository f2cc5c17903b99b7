// exportRows against a real SQLite file: every row comes through (far past the result cap), in
// order and in batches; stopping early or aborting kills the worker; writes are refused.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryError, RunCancelledError } from './errors.ts';
import { exportRows } from './export.ts';

let dir: string;
let path: string;
const ROWS = 25_000;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'querylane-export-'));
  path = join(dir, 'export.db');
  const db = new Database(path);
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, label TEXT, data BLOB)');
  const insert = db.prepare('INSERT INTO t VALUES (?, ?, ?)');
  db.transaction(() => {
    for (let i = 1; i <= ROWS; i++) {
      insert.run(i, i === 7 ? '=HYPERLINK("x")' : `row ${i}`, i === 3 ? Buffer.from([1, 2]) : null);
    }
  })();
  db.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('exportRows', () => {
  it('streams every row, in order, in batches of the asked size', async () => {
    const batches: number[] = [];
    let columns: unknown;
    const ids: number[] = [];
    const rows: unknown[][] = [];
    for await (const chunk of exportRows({
      path,
      sql: 'SELECT id, label, data FROM t ORDER BY id',
      timeoutMs: 30_000,
      batchRows: 1000,
    })) {
      if ('columns' in chunk) columns = chunk.columns;
      else {
        batches.push(chunk.rows.length);
        for (const row of chunk.rows) {
          ids.push(row[0] as number);
          if (rows.length < 10) rows.push(row);
        }
      }
    }
    expect(columns).toEqual([
      { name: 'id', type: 'INTEGER' },
      { name: 'label', type: 'TEXT' },
      { name: 'data', type: 'BLOB' },
    ]);
    expect(ids).toHaveLength(ROWS);
    expect(ids.every((id, i) => id === i + 1)).toBe(true);
    expect(batches).toEqual(Array.from({ length: ROWS / 1000 }, () => 1000));
    expect(rows[2]?.[2]).toEqual(new Uint8Array([1, 2]));
    expect(Buffer.isBuffer(rows[2]?.[2])).toBe(false);
    expect(rows[6]?.[1]).toBe('=HYPERLINK("x")');
  });

  it('ends when the reader stops early, and when it is aborted', async () => {
    let seen = 0;
    for await (const chunk of exportRows({ path, sql: 'SELECT * FROM t', timeoutMs: 30_000 })) {
      if ('rows' in chunk) seen += chunk.rows.length;
      if (seen >= 500) break;
    }
    expect(seen).toBe(500);

    const controller = new AbortController();
    const reading = (async () => {
      for await (const chunk of exportRows({
        path,
        sql: 'SELECT * FROM t',
        timeoutMs: 30_000,
        signal: controller.signal,
      })) {
        if ('rows' in chunk) controller.abort('client went away');
      }
    })();
    await expect(reading).rejects.toBeInstanceOf(RunCancelledError);
  });

  it('refuses writes and several statements, and stops at its time limit', async () => {
    const drain = async (sql: string, timeoutMs = 30_000) => {
      for await (const _ of exportRows({ path, sql, timeoutMs })) {
        // nothing to keep
      }
    };
    await expect(drain('DELETE FROM t')).rejects.toMatchObject({ code: 'SQL_NOT_READ_ONLY' });
    await expect(drain('SELECT 1; SELECT 2')).rejects.toMatchObject({
      code: 'SQL_MULTIPLE_STATEMENTS',
    });
    await expect(
      drain(
        'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c',
        300,
      ),
    ).rejects.toSatisfy((err) => err instanceof QueryError && err.code === 'TIMEOUT');
  });
});
