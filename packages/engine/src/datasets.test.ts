import { execFileSync } from 'node:child_process';
import {
  linkSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetRegistry, parseDatasetsSpec } from './datasets.ts';
import { QueryError } from './errors.ts';
import { freshShopDir } from './testing.ts';

describe('parseDatasetsSpec', () => {
  it('parses name=path pairs', () => {
    expect(parseDatasetsSpec(undefined)).toEqual([]);
    expect(parseDatasetsSpec('  ')).toEqual([]);
    expect(parseDatasetsSpec('sales=/data/sales.db')).toEqual([
      { id: 'sales', path: '/data/sales.db' },
    ]);
    expect(parseDatasetsSpec(' Sales = /data/a b.db , crm_2-eu=./crm.db,')).toEqual([
      { id: 'sales', path: '/data/a b.db' },
      { id: 'crm_2-eu', path: './crm.db' },
    ]);
  });

  it.each([
    ['sales', 'Dataset entry "sales" must look like name=/path/to/file.db.'],
    [
      '=/x.db',
      'Dataset id "" is invalid: use 1–64 letters, digits, "_" or "-", starting with a letter or digit.',
    ],
    [
      'my sales=/x.db',
      'Dataset id "my sales" is invalid: use 1–64 letters, digits, "_" or "-", starting with a letter or digit.',
    ],
    [
      '_x=/x.db',
      'Dataset id "_x" is invalid: use 1–64 letters, digits, "_" or "-", starting with a letter or digit.',
    ],
    [
      `${'a'.repeat(65)}=/x.db`,
      `Dataset id "${'a'.repeat(65)}" is invalid: use 1–64 letters, digits, "_" or "-", starting with a letter or digit.`,
    ],
    ['sales=', 'Dataset "sales" has no path.'],
    ['a=/x.db,A=/y.db', 'Dataset id "a" is listed more than once.'],
    ['SHOP=/x.db', 'Dataset id "shop" is reserved for the demo dataset.'],
  ])('rejects %j', (spec, message) => {
    expect(() => parseDatasetsSpec(spec)).toThrow(new Error(message));
  });
});

describe('DatasetRegistry', () => {
  let dir: string;
  let salesPath: string;
  let registry: DatasetRegistry;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'querylane-registry-'));
    // The shop dataset, copied from the one generated once per machine, in the data dir.
    renameSync(freshShopDir('querylane-registry-data-'), join(dir, 'data'));
    salesPath = join(dir, 'sales.db');
    const db = new Database(salesPath);
    db.exec(`
      CREATE TABLE deals (id INTEGER PRIMARY KEY, amount REAL, stage TEXT);
      CREATE TABLE reps (id INTEGER PRIMARY KEY, name TEXT);
      INSERT INTO deals (amount, stage) VALUES (10, 'won'), (20.5, 'lost'), (3, 'won');
    `);
    db.close();
    registry = DatasetRegistry.open({
      dataDir: join(dir, 'data'),
      datasets: [{ id: 'sales', path: salesPath }],
    });
  });

  afterAll(() => {
    registry?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the shop first, then user datasets', () => {
    expect(registry.list()).toEqual([
      {
        id: 'shop',
        name: 'Shop (demo)',
        kind: 'demo',
        tables: ['customers', 'order_items', 'orders', 'posts', 'products'],
        available: true,
      },
      { id: 'sales', name: 'sales.db', kind: 'user', tables: ['deals', 'reps'], available: true },
    ]);
  });

  it('describes a dataset and its schema', () => {
    expect(registry.get('sales')).toEqual({
      id: 'sales',
      name: 'sales.db',
      path: salesPath,
      kind: 'user',
    });
    expect(registry.get('shop').path).toBe(join(dir, 'data', 'shop.db'));
    expect(registry.schema('sales')).toEqual({
      tables: [
        {
          name: 'deals',
          rowCount: 3,
          columns: [
            { name: 'id', type: 'INTEGER' },
            { name: 'amount', type: 'REAL' },
            { name: 'stage', type: 'TEXT' },
          ],
        },
        {
          name: 'reps',
          rowCount: 0,
          columns: [
            { name: 'id', type: 'INTEGER' },
            { name: 'name', type: 'TEXT' },
          ],
        },
      ],
    });
    const shop = registry.schema('shop').tables.map((t) => [t.name, t.rowCount]);
    expect(shop).toEqual([
      ['customers', 12_000],
      ['order_items', 219_551],
      ['orders', 83_000],
      ['posts', 30_000],
      ['products', 480],
    ]);
  });

  it('names the available datasets when one is unknown', () => {
    let err: unknown;
    try {
      registry.get('nope');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(QueryError);
    expect(err).toMatchObject({
      code: 'DATASET_NOT_FOUND',
      message: 'There is no dataset "nope".',
      hint: 'Available datasets: shop, sales',
    });
  });

  it('opens datasets read-only', () => {
    const db = registry.connection('sales');
    expect(() => db.exec("INSERT INTO deals (amount, stage) VALUES (1, 'x')")).toThrow(
      'attempt to write a readonly database',
    );
    expect(() => registry.connection('shop').exec('DELETE FROM orders')).toThrow(
      'attempt to write a readonly database',
    );
    expect(db.prepare('SELECT count(*) FROM deals').pluck().get()).toBe(3);
  });

  it('refuses a user dataset that is missing or not a database, naming the file', () => {
    const missing = join(dir, 'gone.db');
    expect(() =>
      DatasetRegistry.open({
        dataDir: join(dir, 'data'),
        datasets: [{ id: 'gone', path: missing }],
      }),
    ).toThrow(`Cannot open dataset "gone" at ${missing}: unable to open database file`);
    const junk = join(dir, 'junk.db');
    writeFileSync(junk, 'this is not a database, just some text that is long enough'.repeat(20));
    expect(() =>
      DatasetRegistry.open({ dataDir: join(dir, 'data'), datasets: [{ id: 'junk', path: junk }] }),
    ).toThrow(`Cannot open dataset "junk" at ${junk}: file is not a database`);
  });

  it('refuses, without blocking, a dataset that is a FIFO or a directory', () => {
    const fifo = join(dir, 'pipe.db');
    execFileSync('mkfifo', [fifo]);
    // Opening a FIFO read-only blocks until a writer comes; this test would hang, not fail.
    expect(() =>
      DatasetRegistry.open({ dataDir: join(dir, 'data'), datasets: [{ id: 'pipe', path: fifo }] }),
    ).toThrow(`Cannot open dataset "pipe" at ${fifo}: not a regular file`);
    const folder = join(dir, 'folder.db');
    mkdirSync(folder);
    expect(() =>
      DatasetRegistry.open({ dataDir: join(dir, 'data'), datasets: [{ id: 'f', path: folder }] }),
    ).toThrow(`Cannot open dataset "f" at ${folder}: not a regular file`);
  });

  it('refuses the history store as a dataset, also through a hard link or a symlink', () => {
    const store = join(dir, 'querylane.db');
    new Database(store).exec('CREATE TABLE runs (id TEXT)').close();
    const hard = join(dir, 'hard.db');
    const soft = join(dir, 'soft.db');
    linkSync(store, hard);
    symlinkSync(store, soft);
    for (const path of [store, hard, soft]) {
      expect(() =>
        DatasetRegistry.open({
          dataDir: join(dir, 'data'),
          datasets: [{ id: 'history', path }],
          forbiddenPaths: [store],
        }),
      ).toThrow(
        `Cannot open dataset "history" at ${path}: this file is reserved by the server and cannot be a dataset`,
      );
    }
  });

  it('lists a user dataset damaged after start-up as unavailable, and the others as before', () => {
    const path = join(dir, 'fragile.db');
    const db = new Database(path);
    db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)');
    db.close();
    const fragile = DatasetRegistry.open({
      dataDir: join(dir, 'data'),
      datasets: [{ id: 'fragile', path }],
    });
    try {
      writeFileSync(path, 'no longer a database '.repeat(400));
      const listed = fragile.list();
      expect(listed.map((d) => [d.id, d.available, d.tables.length > 0])).toEqual([
        ['shop', true, true],
        ['fragile', false, false],
      ]);
      expect(() => fragile.schema('fragile')).toThrow(
        expect.objectContaining({ code: 'DATASET_UNAVAILABLE' }),
      );
      expect(fragile.schema('shop').tables).toHaveLength(5);
    } finally {
      fragile.close();
    }
  });
});
