// The SQL pipeline: plan → validate → execute → interpret → finalize, reporting each step as
// run events. The caller owns the run: it stamps events and emits `started` and the end.

import type { PlanStep, Result, RunEventInput, Stage } from '@querylane/contracts';
import type { Database, Statement } from 'better-sqlite3';
import type { DatasetRegistry } from './datasets.ts';
import { abortReason, RunCancelledError } from './errors.ts';
import { profileColumns, suggestChart, summarize } from './interpret.ts';
import { runSql } from './runner.ts';
import { prepareChecked, screenSql, validateReadOnly } from './sql-check.ts';

const DEFAULT_PROGRESS_MS = 250;
const HEARTBEAT_MS = 1_000;

export interface PipelineLimits {
  maxRows?: number;
  timeoutMs?: number;
  /** At most one `rows` event per this many ms while rows stream (default 250). */
  progressMs?: number;
}

export interface SqlPipelineOptions {
  query: string;
  datasetId: string;
  registry: DatasetRegistry;
  signal: AbortSignal;
  emit: (event: RunEventInput) => void;
  limits?: PipelineLimits;
  /** Persists the result; runs inside the finalize stage, before the run completes. */
  finalize?: (result: Result) => Promise<void> | void;
}

/** Execute progress for a query running `ms`: creeps from 41 towards 74, never reaching it. */
export function executeProgress(ms: number): number {
  return Math.min(74, Math.max(41, Math.floor(40 + 34 * (1 - Math.exp(-ms / 8_000)))));
}

// Only statements that can be prefixed with EXPLAIN QUERY PLAN; an EXPLAIN or a PRAGMA has no plan.
const PLANNABLE: ReadonlySet<string> = new Set(['SELECT', 'WITH', 'VALUES']);

function explainPlan(db: Database, sql: string): PlanStep[] {
  if (!PLANNABLE.has(screenSql(sql))) return [];
  const rows = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as {
    id: number;
    parent: number;
    detail: string;
  }[];
  return rows.map(({ id, parent, detail }) => ({ id, parent, detail }));
}

/**
 * Runs one read-only SQL query through every stage and returns its Result. Throws
 * QueryError for anything wrong with the query or its limits, RunCancelledError once
 * `signal` aborts, and rethrows anything unexpected.
 */
export async function runSqlPipeline(opts: SqlPipelineOptions): Promise<Result> {
  const { signal, emit, registry } = opts;
  let progress = 0;
  const stage = (name: Stage, at: number, message: string) => {
    // Progress is monotonic over the whole run, whatever order the numbers come in.
    progress = Math.max(progress, at);
    emit({ type: 'stage', stage: name, progress, message });
  };
  const checkAborted = () => {
    if (signal.aborted) throw new RunCancelledError(abortReason(signal));
  };

  checkAborted();
  stage('plan', 10, 'Planning query');
  const dataset = registry.get(opts.datasetId);
  const db = registry.connection(dataset.id);
  const sql = opts.query.trim();
  const stmt: Statement = prepareChecked(db, sql);
  const steps = explainPlan(db, sql);
  emit({ type: 'plan', steps });
  stage('plan', 15, steps.length === 1 ? 'Planned 1 step' : `Planned ${steps.length} steps`);

  checkAborted();
  stage('validate', 20, 'Checking the query is read-only');
  validateReadOnly(stmt, sql);
  stage('validate', 40, 'The query is read-only');

  checkAborted();
  stage('execute', 40, `Running on ${dataset.id}`);
  const started = performance.now();
  let lastRowsAt = started;
  let lastFetched: number | undefined;
  const progressMs = opts.limits?.progressMs ?? DEFAULT_PROGRESS_MS;
  // `emit` may throw (a store write failing); from inside a timer that would crash the
  // process, so the heartbeat keeps the error, stops the worker, and the run rethrows it.
  let heartbeatError: { error: unknown } | undefined;
  const stopWorker = new AbortController();
  const heartbeat = setInterval(() => {
    const ms = performance.now() - started;
    const next = executeProgress(ms);
    if (next <= progress) return;
    try {
      stage('execute', next, `Running… ${(ms / 1000).toFixed(1)} s`);
    } catch (error) {
      heartbeatError = { error };
      clearInterval(heartbeat);
      stopWorker.abort();
    }
  }, HEARTBEAT_MS);
  let output: Awaited<ReturnType<typeof runSql>>;
  try {
    output = await runSql({
      path: dataset.path,
      sql,
      signal: AbortSignal.any([signal, stopWorker.signal]),
      ...(opts.limits?.maxRows === undefined ? {} : { maxRows: opts.limits.maxRows }),
      ...(opts.limits?.timeoutMs === undefined ? {} : { timeoutMs: opts.limits.timeoutMs }),
      // The worker reports at least as often as events may go out.
      progressMs: Math.min(progressMs, 100),
      onProgress: (fetched) => {
        const now = performance.now();
        if (now - lastRowsAt < progressMs) return;
        lastRowsAt = now;
        lastFetched = fetched;
        emit({ type: 'rows', fetched });
      },
    });
  } catch (err) {
    if (heartbeatError) throw heartbeatError.error;
    throw err;
  } finally {
    clearInterval(heartbeat);
  }
  if (lastFetched !== output.rowCount) emit({ type: 'rows', fetched: output.rowCount });

  checkAborted();
  stage('interpret', 75, 'Profiling columns');
  const profile = profileColumns(output.columns, output.rows);
  const result: Result = {
    columns: output.columns.map((c, i) => ({
      name: c.name,
      // Declared type when SQLite knows it (a table column), else what the values are.
      type: c.type ?? profile[i]?.type ?? 'null',
    })),
    rows: output.rows,
    rowCount: output.rowCount,
    truncated: output.truncated,
    elapsedMs: output.elapsedMs,
    profile,
    summary: summarize({ ...output, profile }),
  };
  const chart = suggestChart(profile);
  if (chart) result.chart = chart;
  stage('interpret', 90, 'Summarised the result');

  checkAborted();
  stage('finalize', 92, 'Saving result');
  await opts.finalize?.(result);
  stage('finalize', 99, 'Result saved');
  return result;
}
