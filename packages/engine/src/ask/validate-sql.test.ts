import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetRegistry } from '../datasets.ts';
import { QueryError } from '../errors.ts';
import { SqlWorkerPool } from '../pool.ts';
import { freshShopDir } from '../testing.ts';
import { poolExecutor } from './execute.ts';
import type { SemanticModel } from './model.ts';
import { loadSemanticModel } from './semantic.ts';
import { validateSql } from './validate-sql.ts';

let dir: string;
let db: Database.Database;
let model: SemanticModel;
let registry: DatasetRegistry;
let pool: SqlWorkerPool;
const compiled: string[] = [];
// The real compile: the statement prepared in a worker of the SQL pool.
const compile = async (sql: string) => {
  compiled.push(sql);
  await poolExecutor(registry, pool).compile('shop', sql, {
    signal: new AbortController().signal,
    timeoutMs: 30_000,
  });
};

beforeAll(() => {
  dir = freshShopDir('querylane-validate-');
  const path = join(dir, 'shop.db');
  db = new Database(path, { readonly: true });
  model = loadSemanticModel({ datasetId: 'shop', db, path, curated: true });
  registry = DatasetRegistry.open({ dataDir: dir });
  pool = new SqlWorkerPool({ size: 1 });
});

afterAll(async () => {
  await pool?.close();
  registry?.close();
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function failure(sql: string): Promise<QueryError> {
  const err = await validateSql(sql, model, compile).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(QueryError);
  return err as QueryError;
}

describe('validateSql', () => {
  it('passes a good query through the injected compile', async () => {
    compiled.length = 0;
    const sql = 'SELECT o.channel, count(*) FROM orders o GROUP BY o.channel';
    await expect(validateSql(sql, model, compile)).resolves.toBeUndefined();
    expect(compiled).toEqual([sql]);
  });

  it('names the nearest real table or column on a miss, before compiling', async () => {
    compiled.length = 0;
    expect((await failure('SELECT count(*) FROM order')).message).toBe(
      'There is no table `order`. Did you mean `orders`?',
    );
    const column = await failure('SELECT sum(oi.revenue) FROM order_items oi');
    expect(column).toMatchObject({
      code: 'SQL_SYNTAX',
      message: 'Table `order_items` has no column `revenue`.',
    });
    expect(column.hint).toBe(
      'Columns of order_items: id, order_id, product_id, quantity, unit_price.',
    );
    expect(
      (await failure('SELECT sum(i.quantity * i.unitprice) FROM order_items AS i')).message,
    ).toBe('Table `order_items` has no column `unitprice`. Did you mean `unit_price`?');
    expect(compiled).toEqual([]);
  });

  it('adds the nearest name to what only compiling finds', async () => {
    const err = await failure('SELECT sum(quantiy) FROM order_items');
    expect(err.message).toBe('no such column: quantiy. Did you mean `quantity`?');
  });

  it('allows one read-only SELECT only', async () => {
    expect((await failure('SELECT 1; SELECT 2')).code).toBe('SQL_MULTIPLE_STATEMENTS');
    expect((await failure('DELETE FROM orders')).code).toBe('SQL_NOT_READ_ONLY');
    expect((await failure('PRAGMA table_info(orders)')).code).toBe('SQL_NOT_READ_ONLY');
    expect((await failure("ATTACH 'x.db' AS x")).code).toBe('SQL_FORBIDDEN');
  });

  it('leaves names the query defines itself to the compiler', async () => {
    await expect(
      validateSql(
        'WITH t AS (SELECT channel FROM orders) SELECT t.channel, count(*) FROM t GROUP BY 1',
        model,
        compile,
      ),
    ).resolves.toBeUndefined();
  });
});
