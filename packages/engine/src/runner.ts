// One query on one warm worker process: hands it the job, relays its steps (planned, validated,
// rows counted), and settles on its answer, its time limit, a cancel or its death. Whether the
// process lives on afterwards is the pool's call (pool.ts); this file only says if it can.
import type { PlanStep } from '@querylane/contracts';
import type { RunLimits } from '@querylane/runs';
import { abortReason, QueryError, RunCancelledError } from './errors.ts';
import { MAX_PLAN_BYTES, MAX_PLAN_STEPS, type ResolvedLimits } from './limits.ts';
import { notReadOnlyError, prepareError, type TableColumns } from './sql-check.ts';
import {
  LIMIT_SIGNALS,
  type SqlWorker,
  type WorkerExit,
  type WorkerLimits,
} from './worker-process.ts';

export interface SqlRunHooks {
  signal?: AbortSignal;
  /** Called once the worker has been handed the query, with its process id. */
  onStart?: (pid: number) => void;
  /** The plan (empty for statements without one); `more` when it was cut at its cap. */
  onPlanned?: (steps: PlanStep[], more: boolean) => void;
  /** SQLite found the prepared statement read-only; rows come next. */
  onValidated?: () => void;
  /** Rows counted so far, about every `progressMs` while rows stream. */
  onProgress?: (fetched: number) => void;
}

export interface SqlRunOptions extends SqlRunHooks, Partial<RunLimits> {
  /** The dataset file; the worker opens it read-only itself. */
  path: string;
  sql: string;
  /** Ask for EXPLAIN QUERY PLAN; only for statements that have one (SELECT, WITH, VALUES). */
  plan?: boolean;
}

export interface SqlRunOutput {
  /** `type` is the declared SQLite type, null for expressions. */
  columns: { name: string; type: string | null }[];
  rows: unknown[][];
  rowCount: number;
  truncated: boolean;
  /** Which limit stopped keeping rows: `maxRows`, `maxResultBytes`, or none. */
  cut: 'rows' | 'bytes' | null;
  /** The kept rows' size as the byte budget counts it. */
  bytes: number;
  /** Time spent preparing, planning and stepping the query inside the worker. */
  elapsedMs: number;
  /** CPU time the worker process spent on it (benchmarks compare it on a busy machine). */
  cpuMs: number;
}

/** The job as it goes over IPC; every limit resolved. */
export interface SqlJob extends ResolvedLimits {
  type: 'job';
  id: number;
  path: string;
  sql: string;
  plan: boolean;
  maxPlanSteps: number;
  maxPlanBytes: number;
}

type WorkerMessage =
  | { type: 'ready' }
  | { type: 'planned'; id: number; steps: PlanStep[]; more: boolean }
  | { type: 'validated'; id: number }
  | { type: 'progress'; id: number; fetched: number }
  | ({ type: 'done'; id: number; rss: number } & SqlRunOutput)
  | {
      type: 'error';
      id: number;
      code: string | undefined;
      message: string;
      detail?: WorkerErrorDetail;
      rss: number;
    };

interface WorkerErrorDetail {
  sqliteCode?: string;
  schema?: TableColumns[];
  readonly?: boolean;
  row?: number;
  column?: string;
  bytes?: number;
}

/**
 * How a job ended. `workerFree`: the worker answered and waits for its next job; otherwise it
 * is still busy with this one (or dead) and must be killed before anything else happens.
 */
export type JobOutcome =
  | { ok: true; output: SqlRunOutput; rss: number }
  | { ok: false; error: unknown; workerFree: boolean; rss?: number };

export function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Number((ms / 1000).toFixed(1))} s`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const kb = bytes / 1024;
  if (kb < 1024) return `${Number(kb.toFixed(1))} KB`;
  const mb = kb / 1024;
  return mb < 1024 ? `${Number(mb.toFixed(1))} MB` : `${Number((mb / 1024).toFixed(1))} GB`;
}

/** The run error for a worker's `error` answer. */
function workerError(
  msg: { code: string | undefined; message: string; detail?: WorkerErrorDetail },
  job: SqlJob,
): Error {
  const { code, message, detail } = msg;
  switch (code) {
    case 'PREPARE':
      return prepareError(job.sql, message, detail?.sqliteCode, detail?.schema ?? []);
    case 'NOT_READ_ONLY':
      return notReadOnlyError(job.sql, detail?.readonly ?? false);
    case 'PARAMETERS':
      return new QueryError('SQL_SYNTAX', 'The query has a parameter (?, :name, @name or $name).', {
        hint: 'Runs take no parameters; write the value into the query.',
      });
    case 'VALUE_TOO_LARGE':
      return new QueryError(
        'RESULT_TOO_LARGE',
        `Row ${detail?.row ?? '?'}, column ${JSON.stringify(detail?.column ?? '?')} holds ${formatBytes(detail?.bytes ?? 0)}; one value may hold at most ${formatBytes(job.maxValueBytes)}.`,
        { hint: 'Select part of it (substr, length, hex of a slice) instead of the whole value.' },
      );
  }
  if (code === 'SQLITE_NOMEM' || code === 'SQLITE_FULL') {
    return new QueryError('RESOURCE_LIMIT', 'The query needed more memory than it is allowed.', {
      hint: 'Filter or aggregate more, or add a LIMIT.',
    });
  }
  if (code !== undefined && /^SQLITE_(CANTOPEN|CORRUPT|NOTADB|IOERR)/.test(code)) {
    return new QueryError('DATASET_UNAVAILABLE', `The dataset cannot be read: ${message}`);
  }
  return new QueryError('SQL_RUNTIME', message, {
    hint: 'The query is valid but failed while running; check the functions and values it uses.',
  });
}

/** The run error for a worker that died during a job it was not asked to stop. */
export function deathError(exit: WorkerExit, opts: { limits: WorkerLimits; closing: boolean }) {
  if (opts.closing) {
    return new QueryError('INTERRUPTED', 'The query was stopped: the server is shutting down.');
  }
  if (exit.signal === LIMIT_SIGNALS.memory) {
    return new QueryError(
      'RESOURCE_LIMIT',
      `The query needed more than the ${formatBytes(opts.limits.memoryBytes)} of memory a query may use.`,
      { hint: 'Filter or aggregate more, or add a LIMIT.' },
    );
  }
  if (exit.signal === LIMIT_SIGNALS.temp) {
    return new QueryError(
      'RESOURCE_LIMIT',
      `The query needed more than the ${formatBytes(opts.limits.tempBytes)} of temporary storage a query may use.`,
      {
        hint: 'Sorting, grouping or DISTINCT over many rows spills to disk; filter or aggregate first.',
      },
    );
  }
  return new QueryError(
    'SQL_RUNTIME',
    `The query stopped unexpectedly (${exit.signal ?? `exit ${exit.code}`}).`,
    { hint: 'It may have needed too much memory; filter or aggregate more, or add a LIMIT.' },
  );
}

/**
 * Blobs arrive as Node Buffers; the Result contract (and any non-Node consumer) wants plain
 * Uint8Array, so rewrap them in place (a view, no copy).
 */
function plainBlobs(row: unknown[]): void {
  for (let i = 0; i < row.length; i++) {
    const value = row[i];
    if (Buffer.isBuffer(value)) {
      row[i] = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    }
  }
}

export function toJob(id: number, opts: SqlRunOptions, limits: ResolvedLimits): SqlJob {
  return {
    type: 'job',
    id,
    path: opts.path,
    sql: opts.sql,
    plan: opts.plan ?? false,
    ...limits,
    // The worker reports at least as often as `rows` events may go out.
    progressMs: Math.min(limits.progressMs, 100),
    maxPlanSteps: MAX_PLAN_STEPS,
    maxPlanBytes: MAX_PLAN_BYTES,
  };
}

/**
 * Runs `job` on `worker` (which the caller holds) and settles on the first of: the answer, the
 * time limit (TIMEOUT; the clock covers prepare and plan too), an abort, a hook that throws, or
 * the worker's death. Never kills; see `workerFree`.
 */
export function runJob(
  worker: SqlWorker,
  job: SqlJob,
  hooks: SqlRunHooks,
  death: (exit: WorkerExit) => Error,
): Promise<JobOutcome> {
  const { signal } = hooks;
  return new Promise<JobOutcome>((resolve) => {
    let settled = false;
    const cleanups: (() => void)[] = [];
    const settle = (outcome: JobOutcome) => {
      if (settled) return;
      settled = true;
      for (const cleanup of cleanups) cleanup();
      resolve(outcome);
    };
    const fail = (error: unknown, workerFree = false, rss?: number) =>
      settle({ ok: false, error, workerFree, ...(rss === undefined ? {} : { rss }) });
    /** A hook that throws fails the job instead of escaping into an IPC handler. */
    const call = (fn: () => void) => {
      try {
        fn();
      } catch (err) {
        fail(err);
      }
    };

    const timer = setTimeout(() => {
      fail(
        new QueryError('TIMEOUT', `The query ran longer than ${formatMs(job.timeoutMs)}.`, {
          hint: 'Narrow the query or add a LIMIT',
        }),
      );
    }, job.timeoutMs);
    cleanups.push(() => clearTimeout(timer));
    if (signal) {
      const onAbort = () => fail(new RunCancelledError(abortReason(signal)));
      signal.addEventListener('abort', onAbort, { once: true });
      cleanups.push(() => signal.removeEventListener('abort', onAbort));
    }

    const onMessage = (raw: unknown) => {
      const msg = raw as WorkerMessage;
      if (msg.type === 'ready' || msg.id !== job.id || settled) return;
      switch (msg.type) {
        case 'planned':
          call(() => hooks.onPlanned?.(msg.steps, msg.more));
          break;
        case 'validated':
          call(() => hooks.onValidated?.());
          break;
        case 'progress':
          call(() => hooks.onProgress?.(msg.fetched));
          break;
        case 'done': {
          const { type: _, id: __, rss, ...output } = msg;
          for (const row of output.rows) plainBlobs(row);
          settle({ ok: true, output, rss });
          break;
        }
        case 'error':
          fail(workerError(msg, job), true, msg.rss);
          break;
      }
    };
    worker.child.on('message', onMessage);
    cleanups.push(() => worker.child.off('message', onMessage));
    cleanups.push(worker.onExit((exit) => fail(death(exit))));

    worker.ready.then(
      () => {
        if (settled) return;
        const sent = (err: Error | null) => {
          if (err) fail(new QueryError('INTERNAL', 'The query worker went away.', { cause: err }));
          else if (!settled) call(() => hooks.onStart?.(worker.pid));
        };
        try {
          worker.child.send(job, sent);
        } catch (err) {
          fail(err); // the job could not be serialised; the worker never saw it
        }
      },
      (err: unknown) =>
        fail(new QueryError('INTERNAL', 'The query worker could not start.', { cause: err })),
    );
  });
}
