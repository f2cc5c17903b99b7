// The semantic model of a registered dataset: inferred from its schema and data, then refined
// by the curated file (`shop`) or by `<name>.semantic.json` next to the user's `.db`.
import { existsSync, readFileSync } from 'node:fs';
import type { Database } from 'better-sqlite3';
import { inferModel } from './infer.ts';
import type { SemanticModel } from './model.ts';
import { applyModelFile, parseModelFile } from './model-file.ts';
import { SHOP_MODEL } from './shop-model.ts';

/** Where a dataset's semantic-model file is looked for: `sales.db` → `sales.semantic.json`. */
export function modelFilePath(datasetPath: string): string {
  return /\.(db|sqlite3?|db3)$/i.test(datasetPath)
    ? datasetPath.replace(/\.(db|sqlite3?|db3)$/i, '.semantic.json')
    : `${datasetPath}.semantic.json`;
}

/**
 * Builds the model. Throws SemanticModelFileError when the dataset's file is malformed or names
 * what the dataset does not have; the message says which file and where.
 */
export function loadSemanticModel(opts: {
  datasetId: string;
  db: Database;
  path: string;
  curated?: boolean;
}): SemanticModel {
  const model = inferModel(opts.db, opts.datasetId);
  if (opts.curated) {
    model.source = 'curated';
    applyModelFile(model, SHOP_MODEL, 'the curated shop model');
    return model;
  }
  const file = modelFilePath(opts.path);
  if (existsSync(file))
    applyModelFile(model, parseModelFile(readFileSync(file, 'utf8'), file), file);
  return model;
}
