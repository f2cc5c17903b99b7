// The plan + validate verdict on a query: the lexical screen on this thread, then prepare, plan
// and SQLite's read-only verdict in a real worker process, as a run gets them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryError } from './errors.ts';
import { SqlWorkerPool } from './pool.ts';
import { hasPlan, screenSql } from './sql-check.ts';

let dir: string;
let path: string;
let pool: SqlWorkerPool;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'querylane-check-'));
  path = join(dir, 'check.db');
  const w = new Database(path);
  w.exec(`
    CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, country TEXT);
    CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id));
    INSERT INTO customers VALUES (1, 'Ada', 'UK');
  `);
  w.close();
  pool = new SqlWorkerPool({ size: 1 });
});

afterAll(async () => {
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
});

async function check(sql: string): Promise<void> {
  const text = sql.trim();
  await pool.run({ path, sql: text, plan: hasPlan(screenSql(text)), maxRows: 1 });
}

/** The code the plan + validate stages give `sql`, or 'ok'. */
async function verdict(sql: string): Promise<string> {
  try {
    await check(sql);
    return 'ok';
  } catch (err) {
    if (err instanceof QueryError) return err.code;
    throw err;
  }
}

async function failure(sql: string): Promise<QueryError> {
  try {
    await check(sql);
  } catch (err) {
    if (err instanceof QueryError) return err;
    throw err;
  }
  throw new Error(`expected ${sql} to fail`);
}

describe('validation', () => {
  it.each([
    ["INSERT INTO customers VALUES (2, 'Bob', 'US')", 'SQL_NOT_READ_ONLY'],
    ["UPDATE customers SET name = 'x'", 'SQL_NOT_READ_ONLY'],
    ['DELETE FROM customers', 'SQL_NOT_READ_ONLY'],
    ["INSERT INTO customers VALUES (3, 'C', 'FR') RETURNING id", 'SQL_NOT_READ_ONLY'],
    ['WITH x AS (SELECT 1) DELETE FROM customers', 'SQL_NOT_READ_ONLY'],
    ['CREATE TABLE t (a)', 'SQL_NOT_READ_ONLY'],
    ['DROP TABLE customers', 'SQL_NOT_READ_ONLY'],
    ["ATTACH DATABASE '/tmp/other.db' AS other", 'SQL_FORBIDDEN'],
    ['DETACH DATABASE other', 'SQL_FORBIDDEN'],
    ['PRAGMA journal_mode=WAL', 'SQL_FORBIDDEN'],
    ['PRAGMA journal_mode', 'SQL_FORBIDDEN'],
    ['pragma main.table_info = 1', 'SQL_FORBIDDEN'],
    ['BEGIN', 'SQL_FORBIDDEN'],
    ['COMMIT', 'SQL_FORBIDDEN'],
    ['SAVEPOINT s1', 'SQL_FORBIDDEN'],
    ['VACUUM', 'SQL_FORBIDDEN'],
    ["SELECT load_extension('/tmp/evil.so')", 'SQL_FORBIDDEN'],
    ['/* hi */ -- there\n  attach "x" as y', 'SQL_FORBIDDEN'],
    ['EXPLAIN PRAGMA query_only = 0', 'SQL_FORBIDDEN'],
    ['select 1; select 2', 'SQL_MULTIPLE_STATEMENTS'],
    ['select 1; /* and */ drop table customers;', 'SQL_MULTIPLE_STATEMENTS'],
    ['', 'SQL_EMPTY'],
    ['   \n ', 'SQL_EMPTY'],
    ['-- nothing but a comment', 'SQL_EMPTY'],
    [';', 'SQL_EMPTY'],
    ['selec 1', 'SQL_SYNTAX'],
    ['SELECT * FROM nope', 'SQL_SYNTAX'],
    ['SELECT nope FROM customers', 'SQL_SYNTAX'],
    ['SELECT * FROM pragma_database_list', 'SQL_FORBIDDEN'],
    ['SELECT * FROM "pragma_compile_options"', 'SQL_FORBIDDEN'],
    ['SELECT ?', 'SQL_SYNTAX'],
  ])('refuses %j with %s', async (sql, code) => {
    expect(await verdict(sql)).toBe(code);
  });

  it.each([
    'SELECT * FROM customers',
    'WITH big AS (SELECT * FROM customers WHERE id > 0) SELECT name FROM big',
    'select 1;',
    'select 1;  -- trailing comment',
    'select 1; /* trailing */ ;',
    '/* leading */ -- and more\nSELECT 1',
    "SELECT 'attach; begin; pragma x=1' AS text",
    '-- attach is only in this comment\nSELECT count(*) FROM orders',
    'VALUES (1), (2)',
    'PRAGMA table_info(customers)',
    'pragma foreign_key_list(orders);',
    'PRAGMA index_list(orders)',
    'EXPLAIN QUERY PLAN SELECT * FROM customers',
    "SELECT name FROM pragma_table_info('customers')",
  ])('accepts %j', async (sql) => {
    expect(await verdict(sql)).toBe('ok');
  });

  it('screens a pragma before SQLite prepares it, since preparing it would already apply it', async () => {
    const served = pool.stats().served;
    expect(await verdict('PRAGMA query_only = 0')).toBe('SQL_FORBIDDEN');
    // No worker was handed the statement: SQLite never saw it.
    expect(pool.stats().served).toBe(served);
  });

  it('explains syntax errors with SQLite’s message and a hint', async () => {
    const err = await failure('selec 1');
    expect(err.message).toBe('near "selec": syntax error');
    expect(err.hint).toBe('Check the SQL near the quoted text; queries use SQLite syntax.');
  });

  it('lists the tables when one is unknown, and the columns when a column is', async () => {
    const table = await failure('SELECT * FROM nope');
    expect(table.message).toBe('no such table: nope');
    expect(table.hint).toBe('Available tables: customers, orders.');
    const column = await failure('SELECT nope FROM customers');
    expect(column.message).toBe('no such column: nope');
    expect(column.hint).toBe('Columns: customers(id, name, country).');
  });

  it('names the statement that would write', async () => {
    const err = await failure('DELETE FROM customers');
    expect(err.message).toBe(
      'DELETE statements change the dataset; only read-only queries can run.',
    );
    expect(err.retryable).toBe(false);
  });
});
