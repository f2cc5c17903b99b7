// The semantic models of a server's datasets, built on first use and kept (datasets are
// read-only): each with its translator and example questions. A malformed model file makes
// that dataset's questions fail with a clear message; nothing else is affected.

import type { Suggestion } from '@querylane/contracts';
import type { DatasetRegistry } from '../datasets.ts';
import { QueryError } from '../errors.ts';
import { SHOP_DATASET_ID } from '../shop.ts';
import { exampleQuestions } from './examples.ts';
import { SemanticModelFileError } from './model-file.ts';
import { loadSemanticModel } from './semantic.ts';
import { suggest } from './suggest.ts';
import { createTranslator, type Translator } from './translate.ts';

interface Entry {
  translator: Translator;
  examples: string[];
}

export class SemanticModels {
  readonly #registry: DatasetRegistry;
  readonly #entries = new Map<string, Entry>();

  constructor(registry: DatasetRegistry) {
    this.#registry = registry;
  }

  /** The dataset's translator; throws DATASET_NOT_FOUND, or DATASET_UNAVAILABLE for a bad model file. */
  translator(datasetId: string): Translator {
    return this.#entry(datasetId).translator;
  }

  /** Words of the dataset's model matching what a person is typing. */
  suggest(datasetId: string, prefix: string, limit: number): Suggestion[] {
    return suggest(this.translator(datasetId).model, prefix, limit);
  }

  /** Questions about the dataset that the offline translator answers. */
  examples(datasetId: string): string[] {
    return this.#entry(datasetId).examples;
  }

  #entry(datasetId: string): Entry {
    const info = this.#registry.get(datasetId);
    const cached = this.#entries.get(info.id);
    if (cached) return cached;
    let translator: Translator;
    try {
      const model = loadSemanticModel({
        datasetId: info.id,
        db: this.#registry.connection(info.id),
        path: info.path,
        curated: info.id === SHOP_DATASET_ID,
      });
      translator = createTranslator(model);
    } catch (err) {
      if (err instanceof SemanticModelFileError) {
        throw new QueryError('DATASET_UNAVAILABLE', err.message, {
          hint: 'Fix or remove the semantic-model file; SQL queries on the dataset still work.',
          retryable: false,
          cause: err,
        });
      }
      throw err;
    }
    const entry = { translator, examples: exampleQuestions(translator, 4) };
    this.#entries.set(info.id, entry);
    return entry;
  }
}
