// The SQL pipeline: plan → validate → execute → interpret → finalize, reporting each step as
// run events. The caller owns the run: it stamps events and emits `started` and the end.

import type { PlanStep, Result, RunEventInput, Stage } from '@querylane/contracts';
import type { RunLimits } from '@querylane/runs';
import type { DatasetRegistry } from './datasets.ts';
import { abortReason, RunCancelledError } from './errors.ts';
import { profileColumns, suggestChart, summarize } from './interpret.ts';
import { MAX_PLAN_BYTES, MAX_PLAN_STEPS, resolveLimits } from './limits.ts';
import type { SqlWorkerPool } from './pool.ts';
import { formatBytes, type SqlRunOutput } from './runner.ts';
import { hasPlan, screenSql } from './sql-check.ts';

const HEARTBEAT_MS = 1_000;

export interface SqlPipelineOptions {
  query: string;
  datasetId: string;
  registry: DatasetRegistry;
  pool: SqlWorkerPool;
  signal: AbortSignal;
  emit: (event: RunEventInput) => void;
  /** Missing fields take the engine's defaults (limits.ts). */
  limits?: Partial<RunLimits>;
  /** Persists the result; runs inside the finalize stage, before the run completes. */
  finalize?: (result: Result) => Promise<void> | void;
}

/** Execute progress for a query running `ms`: creeps from 41 towards 74, never reaching it. */
export function executeProgress(ms: number): number {
  return Math.min(74, Math.max(41, Math.floor(40 + 34 * (1 - Math.exp(-ms / 8_000)))));
}

/** The last step of a plan cut at its cap, so a reader knows there is more. */
export const PLAN_CUT_STEP: PlanStep = {
  id: -1,
  parent: 0,
  detail: `… the plan goes on; a plan event shows at most ${MAX_PLAN_STEPS} steps and ${formatBytes(MAX_PLAN_BYTES)} of text`,
};

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
  const sql = opts.query.trim();
  // The only look at the query on this thread: lexical, linear in its length. Preparing,
  // planning and the read-only verdict happen in the worker, under the run's time limit.
  const first = screenSql(sql);
  const limits = resolveLimits(opts.limits);

  let lastRowsAt = 0;
  let lastFetched: number | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  // `emit` may throw (a store write failing); from inside a timer that would crash the
  // process, so the heartbeat keeps the error, stops the worker, and the run rethrows it.
  let heartbeatError: { error: unknown } | undefined;
  const stopWorker = new AbortController();
  const startHeartbeat = () => {
    const started = performance.now();
    lastRowsAt = started;
    heartbeat = setInterval(() => {
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
  };

  let output: SqlRunOutput;
  try {
    output = await opts.pool.run({
      path: dataset.path,
      sql,
      plan: hasPlan(first),
      ...limits,
      signal: AbortSignal.any([signal, stopWorker.signal]),
      onPlanned: (steps, more) => {
        emit({ type: 'plan', steps: more ? [...steps, PLAN_CUT_STEP] : steps });
        const planned = more ? `more than ${steps.length}` : String(steps.length);
        stage('plan', 15, planned === '1' ? 'Planned 1 step' : `Planned ${planned} steps`);
        stage('validate', 20, 'Checking the query is read-only');
      },
      onValidated: () => {
        stage('validate', 40, 'The query is read-only');
        stage('execute', 40, `Running on ${dataset.id}`);
        startHeartbeat();
      },
      onProgress: (fetched) => {
        const now = performance.now();
        if (now - lastRowsAt < limits.progressMs) return;
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
  if (output.cut === 'bytes') {
    result.summary += ` Rows after the first ${output.rows.length.toLocaleString('en-US')} were left out: a result keeps at most ${formatBytes(limits.maxResultBytes)} of values.`;
  }
  const chart = suggestChart(profile);
  if (chart) result.chart = chart;
  stage('interpret', 90, 'Summarised the result');

  checkAborted();
  stage('finalize', 92, 'Saving result');
  await opts.finalize?.(result);
  stage('finalize', 99, 'Result saved');
  return result;
}
