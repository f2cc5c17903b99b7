// Executes one validated query off the main thread (in `sql-worker.mjs`), with a time limit,
// a row limit and an abort signal; the worker never outlives the call.
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { abortReason, QueryError, RunCancelledError } from './errors.ts';

export const DEFAULT_MAX_ROWS = 1_000;
export const DEFAULT_TIMEOUT_MS = 30_000;

const WORKER_PATH = fileURLToPath(new URL('./sql-worker.mjs', import.meta.url));

export interface SqlRunOptions {
  /** The dataset file; the worker opens it read-only itself. */
  path: string;
  sql: string;
  maxRows?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Rows counted so far, about every `progressMs` (default 100) while rows stream. */
  onProgress?: (fetched: number) => void;
  progressMs?: number;
  /** Called once the worker has been handed the query. */
  onStart?: () => void;
}

export interface SqlRunOutput {
  /** `type` is the declared SQLite type, null for expressions. */
  columns: { name: string; type: string | null }[];
  rows: unknown[][];
  rowCount: number;
  truncated: boolean;
  /** Time spent preparing and stepping the query inside the worker. */
  elapsedMs: number;
}

type WorkerMessage =
  | { type: 'ready' }
  | { type: 'progress'; fetched: number }
  | ({ type: 'done' } & SqlRunOutput)
  | { type: 'error'; message: string; code: string | undefined };

const live = new Set<ChildProcess>();

interface Forked {
  child: ChildProcess;
  /** Resolves once the worker has its job listener in place. */
  ready: Promise<void>;
}

function forkWorker(): Forked {
  const child = fork(WORKER_PATH, [], {
    // Not the parent's flags: under tsx or Vitest those load TS hooks the worker does not need.
    execArgv: [],
    serialization: 'advanced', // structured clone, so blobs arrive as bytes
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const ready = new Promise<void>((resolve, reject) => {
    const onMessage = (msg: WorkerMessage) => {
      if (msg.type !== 'ready') return;
      child.off('message', onMessage);
      resolve();
    };
    child.on('message', onMessage);
    child.once('error', reject);
    child.once('exit', () => reject(new Error('worker exited before it was ready')));
  });
  ready.catch(() => {}); // observed by whoever takes the worker
  return { child, ready };
}

// Forking a worker and loading better-sqlite3 costs ~100 ms; one spare is kept forked so a
// run does not wait for it. Each process still serves exactly one query and is then killed.
let spare: Forked | undefined;

/** The spare, if it is still there to be taken (it may have been killed from outside). */
function liveSpare(): Forked | undefined {
  const child = spare?.child;
  return child && child.exitCode === null && child.signalCode === null && child.connected
    ? spare
    : undefined;
}

/** Forks the spare worker now, if there is none; later runs take it instead of forking. */
export function warmSqlWorker(): void {
  if (liveSpare()) return;
  spare = forkWorker();
  // An idle spare must not keep the process (a CLI, a test run) alive.
  spare.child.unref();
  spare.child.channel?.unref();
}

/** The spare worker's process id, if one is forked; for tests. */
export function spareSqlWorkerPid(): number | undefined {
  return liveSpare()?.child.pid;
}

/** Kills the spare worker, if any (at shutdown). */
export function stopSqlWorkers(): void {
  liveSpare()?.child.kill('SIGKILL');
  spare = undefined;
}

function takeWorker(): Forked {
  const taken = liveSpare() ?? forkWorker();
  spare = undefined;
  taken.child.ref();
  taken.child.channel?.ref();
  setImmediate(warmSqlWorker);
  return taken;
}

/** Process ids of the SQL workers alive right now; tests use it to prove none leaks. */
export function liveSqlWorkers(): number[] {
  return [...live].map((child) => child.pid ?? -1);
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Number((ms / 1000).toFixed(1))} s`;
}

function workerError(message: string, code: string | undefined): QueryError {
  if (code === 'NOT_READ_ONLY') {
    return new QueryError('SQL_NOT_READ_ONLY', message, {
      hint: 'Write a SELECT (or WITH … SELECT) query; datasets are read-only.',
    });
  }
  if (code === 'SQLITE_NOMEM' || code === 'SQLITE_FULL') {
    return new QueryError('SQL_RUNTIME', 'The query needed more memory than it is allowed.', {
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

/**
 * Runs `sql` against the dataset at `path` and resolves with up to `maxRows` rows and the
 * count of all rows. Rejects with QueryError('TIMEOUT') after `timeoutMs`, with
 * RunCancelledError when `signal` aborts; either way the worker is killed and has exited
 * before the promise settles.
 */
export async function runSql(opts: SqlRunOptions): Promise<SqlRunOutput> {
  const { signal } = opts;
  if (signal?.aborted) throw new RunCancelledError(abortReason(signal));
  const maxRows = opts.maxRows ?? DEFAULT_MAX_ROWS;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  const { child, ready } = takeWorker();
  live.add(child);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      live.delete(child);
      resolve();
    });
  });

  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    return await new Promise<SqlRunOutput>((resolve, reject) => {
      timer = setTimeout(() => {
        reject(
          new QueryError('TIMEOUT', `The query ran longer than ${formatMs(timeoutMs)}.`, {
            hint: 'Narrow the query or add a LIMIT',
          }),
        );
      }, timeoutMs);
      onAbort = () => reject(new RunCancelledError(abortReason(signal as AbortSignal)));
      signal?.addEventListener('abort', onAbort, { once: true });

      ready.then(
        () =>
          child.send(
            {
              path: opts.path,
              sql: opts.sql,
              maxRows,
              timeoutMs,
              ...(opts.progressMs === undefined ? {} : { progressMs: opts.progressMs }),
            },
            (err) => {
              if (err) reject(new QueryError('INTERNAL', 'The query worker went away.'));
              else {
                try {
                  opts.onStart?.();
                } catch (err) {
                  reject(err);
                }
              }
            },
          ),
        (err: unknown) =>
          reject(new QueryError('INTERNAL', 'The query worker could not start.', { cause: err })),
      );
      child.on('message', (raw) => {
        const msg = raw as WorkerMessage;
        switch (msg.type) {
          case 'progress':
            // A throwing callback here would be an uncaught exception; fail the run instead.
            try {
              opts.onProgress?.(msg.fetched);
            } catch (err) {
              reject(err);
            }
            break;
          case 'done': {
            const { type: _, ...output } = msg;
            for (const row of output.rows) plainBlobs(row);
            resolve(output);
            break;
          }
          case 'error':
            reject(workerError(msg.message, msg.code));
            break;
        }
      });
      child.once('error', (err) => {
        reject(new QueryError('INTERNAL', 'The query worker could not start.', { cause: err }));
      });
      child.once('exit', (code, sig) => {
        // Only reached before an answer if the worker died on its own (e.g. out of memory).
        reject(
          new QueryError(
            'SQL_RUNTIME',
            `The query stopped unexpectedly (${sig ?? `exit ${code}`}).`,
            {
              hint: 'It may have needed too much memory; filter or aggregate more, or add a LIMIT.',
            },
          ),
        );
      });
    });
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    // SIGKILL: the worker may be deep inside SQLite, where no gentler signal is handled.
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  }
}
