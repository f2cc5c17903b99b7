// The SQL pipeline as the run lifecycle sees it: a `Pipeline` of kind `sql` over a dataset
// registry and a worker pool, both instances the app creates and passes in.
import type { Pipeline } from '@querylane/runs';
import type { DatasetRegistry } from './datasets.ts';
import { runSqlPipeline } from './pipeline.ts';
import type { SqlWorkerPool } from './pool.ts';

export function createSqlPipeline(opts: {
  registry: DatasetRegistry;
  pool: SqlWorkerPool;
}): Pipeline {
  return {
    kind: 'sql',
    run: (input, ctx) =>
      runSqlPipeline({
        query: input.query,
        datasetId: input.datasetId,
        registry: opts.registry,
        pool: opts.pool,
        signal: ctx.signal,
        limits: ctx.limits,
        emit: ctx.emit,
        finalize: ctx.finalize,
      }),
  };
}
