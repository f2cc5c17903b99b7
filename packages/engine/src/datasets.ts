// The datasets queries can run on: the generated `shop` demo plus the user's own SQLite
// files, each held open read-only for planning and validation.
import { basename, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { QueryError } from './errors.ts';
import { ensureShopDataset, SHOP_DATASET_ID } from './shop.ts';

const DATASET_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export interface DatasetSpec {
  id: string;
  path: string;
}

export type DatasetKind = 'demo' | 'user';

export interface DatasetInfo {
  id: string;
  name: string;
  path: string;
  kind: DatasetKind;
}

export interface DatasetSummary {
  id: string;
  name: string;
  kind: DatasetKind;
  tables: string[];
}

export interface DatasetSchema {
  tables: { name: string; rowCount: number; columns: { name: string; type: string }[] }[];
}

/**
 * Parses `name=/path/a.db,name2=/path/b.db` (the form an environment variable holds).
 * Ids are lower-cased; empty entries, as from a trailing comma, are ignored.
 */
export function parseDatasetsSpec(spec: string | undefined): DatasetSpec[] {
  if (spec === undefined || spec.trim() === '') return [];
  const seen = new Set<string>();
  const out: DatasetSpec[] = [];
  for (const raw of spec.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const eq = entry.indexOf('=');
    if (eq === -1) {
      throw new Error(`Dataset entry "${entry}" must look like name=/path/to/file.db.`);
    }
    const id = entry.slice(0, eq).trim().toLowerCase();
    const path = entry.slice(eq + 1).trim();
    if (!DATASET_ID.test(id)) {
      throw new Error(
        `Dataset id "${entry.slice(0, eq).trim()}" is invalid: use 1–64 letters, digits, "_" or "-", starting with a letter or digit.`,
      );
    }
    if (path === '') throw new Error(`Dataset "${id}" has no path.`);
    if (id === SHOP_DATASET_ID) {
      throw new Error(`Dataset id "${SHOP_DATASET_ID}" is reserved for the demo dataset.`);
    }
    if (seen.has(id)) throw new Error(`Dataset id "${id}" is listed more than once.`);
    seen.add(id);
    out.push({ id, path });
  }
  return out;
}

interface Entry extends DatasetInfo {
  db: Database.Database;
  schema?: DatasetSchema;
}

function openReadOnly(path: string): Database.Database {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    db.pragma('query_only = 1');
    // Opening is lazy: reading the schema is what finds out the file is not a database.
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function tableNames(db: Database.Database): string[] {
  return db
    .prepare(
      "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .pluck()
    .all() as string[];
}

export class DatasetRegistry {
  readonly #entries: Map<string, Entry>;

  private constructor(entries: Map<string, Entry>) {
    this.#entries = entries;
  }

  /**
   * Generates the shop dataset in `dataDir` if needed and opens every dataset read-only.
   * Throws, naming the file, if a user dataset cannot be opened.
   */
  static open(opts: { dataDir: string; datasets?: DatasetSpec[] }): DatasetRegistry {
    const entries = new Map<string, Entry>();
    const shopPath = resolve(join(opts.dataDir, 'shop.db'));
    ensureShopDataset(shopPath);
    const add = (info: DatasetInfo) => {
      let db: Database.Database;
      try {
        db = openReadOnly(info.path);
      } catch (err) {
        for (const entry of entries.values()) entry.db.close();
        const reason = err instanceof Error ? err.message : String(err);
        throw new Error(`Cannot open dataset "${info.id}" at ${info.path}: ${reason}`, {
          cause: err,
        });
      }
      entries.set(info.id, { ...info, db });
    };
    add({ id: SHOP_DATASET_ID, name: 'Shop (demo)', path: shopPath, kind: 'demo' });
    for (const spec of opts.datasets ?? []) {
      const id = spec.id.toLowerCase();
      if (entries.has(id)) {
        for (const entry of entries.values()) entry.db.close();
        throw new Error(`Dataset id "${id}" is used more than once.`);
      }
      const path = resolve(spec.path);
      add({ id, name: basename(path), path, kind: 'user' });
    }
    return new DatasetRegistry(entries);
  }

  /** Every dataset, shop first, with its table names. */
  list(): DatasetSummary[] {
    return [...this.#entries.values()].map((entry) => ({
      id: entry.id,
      name: entry.name,
      kind: entry.kind,
      tables: tableNames(entry.db),
    }));
  }

  get(id: string): DatasetInfo {
    const { db: _, schema: __, ...info } = this.#entry(id);
    return info;
  }

  /** Tables with their columns and row counts; counted once, since datasets are read-only. */
  schema(id: string): DatasetSchema {
    const entry = this.#entry(id);
    if (entry.schema) return entry.schema;
    const schema: DatasetSchema = {
      tables: tableNames(entry.db).map((name) => {
        const quoted = `"${name.replaceAll('"', '""')}"`;
        const columns = entry.db.pragma(`table_info(${quoted})`) as {
          name: string;
          type: string;
        }[];
        return {
          name,
          rowCount: entry.db.prepare(`SELECT count(*) FROM ${quoted}`).pluck().get() as number,
          columns: columns.map((c) => ({ name: c.name, type: c.type })),
        };
      }),
    };
    entry.schema = schema;
    return schema;
  }

  /** The read-only connection for planning and validation on the calling thread. */
  connection(id: string): Database.Database {
    return this.#entry(id).db;
  }

  close(): void {
    for (const entry of this.#entries.values()) {
      if (entry.db.open) entry.db.close();
    }
  }

  #entry(id: string): Entry {
    const entry = this.#entries.get(id.toLowerCase());
    if (!entry) {
      throw new QueryError('DATASET_NOT_FOUND', `There is no dataset "${id}".`, {
        hint: `Available datasets: ${[...this.#entries.keys()].join(', ')}`,
      });
    }
    return entry;
  }
}
