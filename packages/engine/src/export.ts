// Every row of a query, streamed from its own worker process (`export-worker.mjs`) in batches
// that the caller pulls one at a time: what a CSV of a whole result is written from. The worker
// is killed when the caller stops reading, aborts, or runs out of time.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { abortReason, QueryError, RunCancelledError } from './errors.ts';
import { notReadOnlyError, screenSql } from './sql-check.ts';

const WORKER_PATH = fileURLToPath(new URL('./export-worker.mjs', import.meta.url));

export interface ExportOptions {
  /** The dataset file; the worker opens it read-only itself. */
  path: string;
  sql: string;
  /** The whole export, first row to last. */
  timeoutMs: number;
  signal?: AbortSignal;
  batchRows?: number;
}

export interface ExportColumn {
  name: string;
  type: string | null;
}

type WorkerMessage =
  | { type: 'ready' }
  | { type: 'columns'; columns: ExportColumn[] }
  | { type: 'rows'; rows: unknown[][] }
  | { type: 'done'; rowCount: number }
  | { type: 'error'; message: string; code: string | undefined };

/**
 * Yields the columns first, then batches of rows until the last. Screens the SQL the way the
 * pipeline does; the worker refuses anything that is not a read-only query on its own.
 */
export async function* exportRows(
  opts: ExportOptions,
): AsyncGenerator<{ columns: ExportColumn[] } | { rows: unknown[][] }, void, undefined> {
  screenSql(opts.sql.trim());
  const child = fork(WORKER_PATH, [], {
    execArgv: [],
    serialization: 'advanced', // structured clone, so blobs arrive as bytes
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const inbox: WorkerMessage[] = [];
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };
  child.on('message', (message: WorkerMessage) => {
    inbox.push(message);
    notify();
  });
  child.once('exit', () => {
    failure ??= new QueryError('SQL_RUNTIME', 'The export stopped before its last row.');
    notify();
  });
  const stop = (error: Error) => {
    failure ??= error;
    notify();
  };
  const timer = setTimeout(
    () =>
      stop(
        new QueryError('TIMEOUT', `The export took longer than ${opts.timeoutMs} ms.`, {
          hint: 'Add a LIMIT or filter the rows.',
        }),
      ),
    opts.timeoutMs,
  );
  const onAbort = () =>
    stop(new RunCancelledError(opts.signal ? abortReason(opts.signal) : undefined));
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted) onAbort();

  const next = async (): Promise<WorkerMessage> => {
    for (;;) {
      const message = inbox.shift();
      if (message) return message;
      if (failure) throw failure;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  };

  try {
    if ((await next()).type !== 'ready') throw new Error('export worker spoke out of turn');
    child.send({ path: opts.path, sql: opts.sql.trim(), batchRows: opts.batchRows ?? 500 });
    for (;;) {
      const message = await next();
      if (message.type === 'error') throw exportError(opts.sql, message.message, message.code);
      if (message.type === 'done') return;
      if (message.type === 'columns') yield { columns: message.columns };
      if (message.type === 'rows') {
        for (const row of message.rows) plain(row);
        yield { rows: message.rows };
      }
      // Asked only once the batch was taken: the worker is never more than one batch ahead.
      if (child.connected) child.send('more');
    }
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
    child.removeAllListeners('message');
    child.kill('SIGKILL');
  }
}

/** The run error for the export worker's `error` answer. */
function exportError(sql: string, message: string, code: string | undefined): QueryError {
  if (code === 'NOT_READ_ONLY') return notReadOnlyError(sql, false);
  if (code === 'SQLITE_NOMEM' || code === 'SQLITE_FULL') {
    return new QueryError('RESOURCE_LIMIT', 'The export needed more memory than it is allowed.', {
      hint: 'Export fewer columns, or filter the rows.',
    });
  }
  return new QueryError('SQL_RUNTIME', message);
}

/** Blobs arrive as Node Buffers; the rest of Querylane speaks plain Uint8Array. */
function plain(row: unknown[]): void {
  for (let i = 0; i < row.length; i++) {
    const value = row[i];
    if (Buffer.isBuffer(value))
      row[i] = new Uint8Array(value.buffer, value.byteOffset, value.length);
  }
}
