// The datasets as the API shows them: the registry's list and schemas, and suggestions from
// each dataset's semantic model.
import type { Suggestion } from '@querylane/contracts';
import type { DatasetInfo, DatasetRegistry, DatasetSchema, DatasetSummary } from '../datasets.ts';
import type { SemanticModels } from './models.ts';

export interface DatasetCatalogView {
  list(): DatasetSummary[];
  schema(datasetId: string): DatasetSchema;
  get(datasetId: string): DatasetInfo;
  suggest(datasetId: string, prefix: string, limit: number): Suggestion[];
}

export function datasetCatalog(
  registry: DatasetRegistry,
  models: SemanticModels,
): DatasetCatalogView {
  return {
    list: () => registry.list(),
    schema: (id) => registry.schema(id),
    get: (id) => registry.get(id),
    suggest: (id, prefix, limit) => models.suggest(id, prefix, limit),
  };
}
