// The datasets queries can run on: the generated `shop` demo plus the user's own SQLite
// files, each held open read-only here for listing and describing (queries run in workers).
import { realpathSync, type Stats, statSync } from 'node:fs';
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
  /** Empty when the dataset is unavailable. */
  tables: string[];
  /** False when the file cannot be read right now (damaged, gone); runs on it fail. */
  available: boolean;
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

/** The file's identity, so a hard link or a symlink to a forbidden file is still that file. */
function sameFile(a: Stats, b: Stats): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

/**
 * Refuses what must not be opened as a dataset: anything but a regular file (opening a FIFO
 * blocks until a writer comes, which would hang start-up) and the forbidden files (the
 * history store). A missing file is left to SQLite, which says so.
 */
function checkFile(path: string, forbidden: readonly Stats[]): void {
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch {
    return;
  }
  if (!stats.isFile()) throw new Error('not a regular file');
  if (forbidden.some((f) => sameFile(f, stats))) {
    throw new Error('this file is reserved by the server and cannot be a dataset');
  }
}

function statIfExists(path: string): Stats[] {
  try {
    return [statSync(realpathSync(path))];
  } catch {
    return [];
  }
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

function readSchema(db: Database.Database): DatasetSchema {
  return {
    tables: tableNames(db).map((name) => {
      const quoted = `"${name.replaceAll('"', '""')}"`;
      const columns = db.pragma(`table_info(${quoted})`) as { name: string; type: string }[];
      return {
        name,
        rowCount: db.prepare(`SELECT count(*) FROM ${quoted}`).pluck().get() as number,
        columns: columns.map((c) => ({ name: c.name, type: c.type })),
      };
    }),
  };
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
  static open(opts: {
    dataDir: string;
    datasets?: DatasetSpec[];
    /** Files that may not be datasets, however they are named (the history store). */
    forbiddenPaths?: string[];
  }): DatasetRegistry {
    const entries = new Map<string, Entry>();
    const shopPath = resolve(join(opts.dataDir, 'shop.db'));
    ensureShopDataset(shopPath);
    const forbidden = (opts.forbiddenPaths ?? []).flatMap(statIfExists);
    const add = (info: DatasetInfo) => {
      let db: Database.Database;
      try {
        checkFile(info.path, forbidden);
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

  /** Every dataset, shop first, with its table names; one that cannot be read is marked. */
  list(): DatasetSummary[] {
    return [...this.#entries.values()].map((entry) => {
      const summary = { id: entry.id, name: entry.name, kind: entry.kind };
      try {
        return { ...summary, tables: tableNames(entry.db), available: true };
      } catch {
        // A file damaged or replaced after start-up: it fails its own runs, not everyone's list.
        return { ...summary, tables: [], available: false };
      }
    });
  }

  get(id: string): DatasetInfo {
    const { db: _, schema: __, ...info } = this.#entry(id);
    return info;
  }

  /** Tables with their columns and row counts; counted once, since datasets are read-only. */
  schema(id: string): DatasetSchema {
    const entry = this.#entry(id);
    if (entry.schema) return entry.schema;
    try {
      entry.schema = readSchema(entry.db);
    } catch (err) {
      throw new QueryError('DATASET_UNAVAILABLE', `The dataset "${entry.id}" cannot be read.`, {
        cause: err,
      });
    }
    return entry.schema;
  }

  /** The read-only connection this registry lists and describes through (and tests read). */
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
