// @querylane/engine: the query pipelines (SQL and plain-words questions), datasets, semantic
// models, SQL checks, worker execution and interpretation.
// Speaks the run-event contract of @querylane/contracts; knows nothing of tRPC, HTTP or storage.
export * from './ask/index.ts';
export * from './datasets.ts';
export * from './errors.ts';
export * from './export.ts';
export * from './interpret.ts';
export * from './limits.ts';
export * from './pipeline.ts';
export * from './pool.ts';
export * from './runner.ts';
export * from './shop.ts';
export * from './sql-check.ts';
export * from './sql-pipeline.ts';
