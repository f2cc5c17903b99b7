// What the translator tests share: the curated shop model over a read-only copy of the shop
// dataset, and the checks that a question translates and returns what a gold query returns.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect } from 'vitest';
import { sameResult } from '../ask/same-result.ts';
import { loadSemanticModel } from '../ask/semantic.ts';
import { createTranslator, type Translated, type Translator, translate } from '../ask/translate.ts';
import { freshShopDir } from '../testing.ts';

/** Sets up the file's tests with one translator; `tr` is read inside a test, once it is set. */
export function useShopTranslator() {
  let dir: string;
  let db: Database.Database;
  let tr: Translator;

  beforeAll(() => {
    dir = freshShopDir('querylane-translate-');
    const path = join(dir, 'shop.db');
    db = new Database(path, { readonly: true });
    tr = createTranslator(loadSemanticModel({ datasetId: 'shop', db, path, curated: true }));
  });

  afterAll(() => {
    db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const rows = (sql: string) => ({ rows: db.prepare(sql).raw().all() as unknown[][] });

  function ok(question: string, history: string[] = []): Translated {
    const out = translate(tr, question, history);
    if (!out.ok) throw new Error(`refused "${question}": ${out.code} ${out.message}`);
    return out;
  }

  /** The translation runs and returns what `gold` returns (the rule of nl-eval's scorer). */
  function agrees(
    question: string,
    gold: string,
    ordered = false,
    history: string[] = [],
  ): Translated {
    const out = ok(question, history);
    expect(sameResult(rows(gold), rows(out.sql), ordered), `${question}\n${out.sql}`).toBe(true);
    return out;
  }

  return {
    get tr(): Translator {
      return tr;
    },
    ok,
    agrees,
  };
}
