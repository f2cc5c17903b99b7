import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureShopDataset } from './shop.ts';

const TABLES = ['customers', 'products', 'orders', 'order_items', 'posts'] as const;

let dir: string;
let first: Database.Database;
let second: Database.Database;
let firstRun: { created: boolean };

function counts(db: Database.Database): Record<string, number> {
  return Object.fromEntries(
    TABLES.map((t) => [t, db.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number]),
  );
}

const revenue = (db: Database.Database): number =>
  db.prepare('SELECT sum(quantity * unit_price) FROM order_items').pluck().get() as number;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'querylane-shop-'));
  firstRun = ensureShopDataset(join(dir, 'a', 'shop.db'));
  ensureShopDataset(join(dir, 'b', 'shop.db'));
  first = new Database(join(dir, 'a', 'shop.db'), { readonly: true, fileMustExist: true });
  second = new Database(join(dir, 'b', 'shop.db'), { readonly: true, fileMustExist: true });
});

afterAll(() => {
  first?.close();
  second?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('shop dataset', () => {
  it('is generated once and then reused, leaving no temporary file behind', () => {
    expect(firstRun.created).toBe(true);
    expect(ensureShopDataset(join(dir, 'a', 'shop.db')).created).toBe(false);
    expect(readdirSync(join(dir, 'a'))).toEqual(['shop.db']);
  });

  it('has the same rows every time it is generated', () => {
    const expected = {
      customers: 12_000,
      products: 480,
      orders: 83_000,
      order_items: 219_551,
      posts: 30_000,
    };
    expect(counts(first)).toEqual(expected);
    expect(counts(second)).toEqual(expected);
    expect(revenue(first)).toBe(revenue(second));
    const sample = 'SELECT * FROM posts WHERE id % 997 = 0 ORDER BY id';
    expect(first.prepare(sample).raw().all()).toEqual(second.prepare(sample).raw().all());
  });

  it('has at least 200,000 order items', () => {
    expect(counts(first).order_items).toBeGreaterThanOrEqual(200_000);
  });

  it('declares its foreign keys and has no orphans', () => {
    const fks = TABLES.flatMap((t) =>
      (first.pragma(`foreign_key_list(${t})`) as { table: string; from: string }[]).map(
        (fk) => `${t}.${fk.from} -> ${fk.table}`,
      ),
    ).sort();
    expect(fks).toEqual([
      'order_items.order_id -> orders',
      'order_items.product_id -> products',
      'orders.customer_id -> customers',
      'posts.customer_id -> customers',
      'posts.product_id -> products',
    ]);
    expect(first.pragma('foreign_key_check')).toEqual([]);
    const orphans = first
      .prepare(
        `SELECT
          (SELECT count(*) FROM orders o LEFT JOIN customers c ON c.id = o.customer_id WHERE c.id IS NULL),
          (SELECT count(*) FROM order_items i LEFT JOIN orders o ON o.id = i.order_id WHERE o.id IS NULL),
          (SELECT count(*) FROM order_items i LEFT JOIN products p ON p.id = i.product_id WHERE p.id IS NULL),
          (SELECT count(*) FROM posts p LEFT JOIN customers c ON c.id = p.customer_id WHERE c.id IS NULL),
          (SELECT count(*) FROM posts p LEFT JOIN products r ON r.id = p.product_id
             WHERE p.product_id IS NOT NULL AND r.id IS NULL)`,
      )
      .raw()
      .get();
    expect(orphans).toEqual([0, 0, 0, 0, 0]);
  });

  it('keeps dates consistent: three years, orders after sign-up, every order has items', () => {
    const row = first
      .prepare(
        `SELECT min(order_date), max(order_date),
          (SELECT count(*) FROM orders o JOIN customers c ON c.id = o.customer_id
             WHERE o.order_date < c.signup_date),
          (SELECT count(*) FROM orders o WHERE NOT EXISTS
             (SELECT 1 FROM order_items i WHERE i.order_id = o.id))
        FROM orders`,
      )
      .raw()
      .get();
    expect(row).toEqual(['2022-01-01', '2024-12-31', 0, 0]);
  });

  it('indexes every foreign key column and can be opened read-only', () => {
    const indexed = first
      .prepare(
        "SELECT tbl_name || '.' || name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL ORDER BY 1",
      )
      .pluck()
      .all();
    expect(indexed).toEqual([
      'order_items.order_items_order_id',
      'order_items.order_items_product_id',
      'orders.orders_customer_id',
      'orders.orders_order_date',
      'posts.posts_customer_id',
      'posts.posts_product_id',
    ]);
    expect(first.pragma('journal_mode', { simple: true })).toBe('delete');
  });
});
