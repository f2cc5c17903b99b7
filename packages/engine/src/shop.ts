// The `shop` demo dataset: a SQLite file generated deterministically from a seeded PRNG on
// first use (no download), then reused. Same code and seed give the same rows, byte for byte.
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { generate } from './shop/generate.ts';

export const SHOP_DATASET_ID = 'shop';

// Bumped whenever the generator changes, so an old file on disk is rebuilt instead of
// silently disagreeing with the code (and with anything that documents the data).
const SHOP_VERSION = 1;

function isCurrent(path: string): boolean {
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      return db.pragma('user_version', { simple: true }) === SHOP_VERSION;
    } finally {
      db.close();
    }
  } catch {
    return false;
  }
}

/**
 * Generates the shop dataset at `path` unless a current one is already there. Writes to a
 * per-process temporary file and renames it into place, so a crash (or a second process
 * generating at the same time) never leaves a half-written dataset at `path`.
 */
export function ensureShopDataset(path: string): { created: boolean; ms: number } {
  const started = performance.now();
  if (existsSync(path) && isCurrent(path)) {
    return { created: false, ms: performance.now() - started };
  }
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  rmSync(tmp, { force: true });
  try {
    const db = new Database(tmp);
    try {
      // No journal while building: the temporary file is thrown away on any failure anyway.
      db.pragma('journal_mode = OFF');
      db.pragma('synchronous = OFF');
      db.transaction(() => generate(db))();
      db.exec('ANALYZE');
      db.pragma(`user_version = ${SHOP_VERSION}`);
      // DELETE mode leaves no -wal/-shm beside the file, so readers can open it read-only.
      db.pragma('journal_mode = DELETE');
    } finally {
      db.close();
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  return { created: true, ms: performance.now() - started };
}
