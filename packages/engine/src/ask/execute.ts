// How a question pipeline reaches the SQL engine: compile (prepare + read-only check) and run
// (in a worker, with limits and cancel). An interface, so compiling and running can move into
// the SQL worker pool without touching the pipeline; `registryExecutor` is today's wiring.
import type { DatasetRegistry } from '../datasets.ts';
import { runSql, type SqlRunOutput } from '../runner.ts';
import { prepareChecked, validateReadOnly } from '../sql-check.ts';

export interface SqlRunRequest {
  datasetId: string;
  sql: string;
  signal: AbortSignal;
  maxRows: number;
  timeoutMs: number;
  /** How often the worker reports rows fetched so far. */
  progressMs: number;
  onProgress: (fetched: number) => void;
}

export interface SqlExecutor {
  /** Throws QueryError when `sql` does not compile on the dataset or does not only read. */
  compile(datasetId: string, sql: string): Promise<void>;
  run(request: SqlRunRequest): Promise<SqlRunOutput>;
}

/** Compiles on the registry's read-only connection and runs in a forked SQL worker. */
export function registryExecutor(registry: DatasetRegistry): SqlExecutor {
  return {
    async compile(datasetId, sql) {
      const stmt = prepareChecked(registry.connection(datasetId), sql);
      validateReadOnly(stmt, sql);
    },
    run(request) {
      return runSql({
        path: registry.get(request.datasetId).path,
        sql: request.sql,
        signal: request.signal,
        maxRows: request.maxRows,
        timeoutMs: request.timeoutMs,
        progressMs: request.progressMs,
        onProgress: request.onProgress,
      });
    },
  };
}
