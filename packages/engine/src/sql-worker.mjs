// Runs one read-only query in its own process and reports back over IPC: progress while rows
// stream, then the kept rows and the total count. Plain JS so Node runs it without a loader.
//
// A process rather than a worker thread: SQLite cannot be interrupted from JavaScript
// (better-sqlite3 exposes no sqlite3_interrupt), and Worker#terminate() only takes effect
// when the thread returns to JS, so a thread stuck in one long sqlite3_step() could never be
// stopped. A process can always be killed.
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';

const DEFAULT_PROGRESS_MS = 100;
// The parent kills this process at its time limit; the watchdog is for when it cannot.
const DEADLINE_GRACE_MS = 2_000;
// SQLite's own allocations (sorts, group-by tables, page cache) are not JS heap; cap them so a
// runaway query fails with "out of memory" instead of taking the host down.
const HEAP_LIMIT_BYTES = 512 * 1024 * 1024;

/**
 * @typedef {{ path: string; sql: string; maxRows: number; timeoutMs: number; progressMs?: number }} Job
 * @typedef {{ name: string; type: string | null }} WorkerColumn
 * @typedef {{ type: 'ready' }
 *   | { type: 'progress'; fetched: number }
 *   | { type: 'done'; columns: WorkerColumn[]; rows: unknown[][]; rowCount: number; truncated: boolean; elapsedMs: number }
 *   | { type: 'error'; message: string; code: string | undefined }} WorkerMessage
 */

// A watchdog thread, because this thread can sit inside one sqlite3_step() for as long as
// the query runs and handles nothing meanwhile. If the parent dies (it can no longer kill
// us; we are re-parented) or the deadline passes, the watchdog SIGKILLs the whole process.
const watchdog = new Worker(
  `const { parentPort, workerData } = require('node:worker_threads');
  let deadline = Infinity;
  parentPort.on('message', (at) => { deadline = at; });
  setInterval(() => {
    if (process.ppid !== workerData.ppid || Date.now() > deadline) process.kill(process.pid, 'SIGKILL');
  }, 250);`,
  { eval: true, workerData: { ppid: process.ppid } },
);
watchdog.unref();

/** @param {WorkerMessage} message */
function send(message) {
  process.send?.(message);
}

/** @param {Job} job */
function run(job) {
  watchdog.postMessage(Date.now() + job.timeoutMs + DEADLINE_GRACE_MS);
  const started = performance.now();
  const db = new Database(job.path, { readonly: true, fileMustExist: true });
  try {
    db.pragma('query_only = 1');
    db.pragma(`hard_heap_limit = ${HEAP_LIMIT_BYTES}`);
    const stmt = db.prepare(job.sql);
    // The parent validated the query; this is the last line, on the connection that runs it.
    if (!stmt.readonly || !stmt.reader) {
      send({ type: 'error', message: 'Only read-only queries can run.', code: 'NOT_READ_ONLY' });
      return;
    }
    stmt.raw(true);
    const columns = stmt.columns().map((c) => ({ name: c.name, type: c.type }));
    /** @type {unknown[][]} */
    const rows = [];
    let rowCount = 0;
    let reported = performance.now();
    const progressMs = job.progressMs ?? DEFAULT_PROGRESS_MS;
    for (const row of stmt.iterate()) {
      // Every row is counted; only the first maxRows are kept in memory.
      if (rowCount < job.maxRows) rows.push(/** @type {unknown[]} */ (row));
      rowCount++;
      const now = performance.now();
      if (now - reported >= progressMs) {
        reported = now;
        send({ type: 'progress', fetched: rowCount });
      }
    }
    send({
      type: 'done',
      columns,
      rows,
      rowCount,
      truncated: rowCount > rows.length,
      elapsedMs: performance.now() - started,
    });
  } finally {
    db.close();
  }
}

process.once('message', (/** @type {Job} */ job) => {
  try {
    run(job);
  } catch (err) {
    const e = /** @type {{ message?: unknown; code?: unknown }} */ (err ?? {});
    send({
      type: 'error',
      message: String(e.message ?? err),
      code: typeof e.code === 'string' ? e.code : undefined,
    });
  }
  // The parent kills this process once it has the answer; nothing else to do here.
});

// If the parent goes away, so does this process.
process.on('disconnect', () => process.exit(0));
// Only now is the listener in place; the parent sends the job when it hears this.
send({ type: 'ready' });
