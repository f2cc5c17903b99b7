// How a question pipeline reaches the SQL engine: compile (does the statement prepare against
// the dataset?) and run (rows, with the run's limits and cancel). Both happen in the server's
// SQL worker pool, so a query that is expensive to compile costs a worker under a deadline,
// never the main thread.
import type { RunLimits } from '@querylane/runs';
import type { DatasetRegistry } from '../datasets.ts';
import type { SqlWorkerPool } from '../pool.ts';
import type { SqlRunOutput } from '../runner.ts';

export interface SqlRunRequest {
  datasetId: string;
  sql: string;
  signal: AbortSignal;
  limits: RunLimits;
  /** The worker found the statement read-only; rows come next. */
  onValidated?: () => void;
  onProgress: (fetched: number) => void;
}

export interface SqlExecutor {
  /** Throws QueryError when `sql` does not prepare on the dataset (syntax, names, functions). */
  compile(
    datasetId: string,
    sql: string,
    opts: { signal: AbortSignal; timeoutMs: number },
  ): Promise<void>;
  run(request: SqlRunRequest): Promise<SqlRunOutput>;
}

/**
 * Compiles and runs on the pool. Compiling prepares `EXPLAIN <sql>`: SQLite resolves every
 * name and function as for the query itself, and running it reads no data. Whether the query
 * only reads is decided again by the worker when it runs it.
 */
export function poolExecutor(registry: DatasetRegistry, pool: SqlWorkerPool): SqlExecutor {
  return {
    async compile(datasetId, sql, opts) {
      await pool.run({
        path: registry.get(datasetId).path,
        sql: `EXPLAIN ${sql}`,
        signal: opts.signal,
        timeoutMs: opts.timeoutMs,
        maxRows: 1,
      });
    },
    run(request) {
      return pool.run({
        path: registry.get(request.datasetId).path,
        sql: request.sql,
        ...request.limits,
        signal: request.signal,
        onProgress: request.onProgress,
        ...(request.onValidated ? { onValidated: request.onValidated } : {}),
      });
    },
  };
}
