// A warm SQL worker process: takes one job at a time over IPC, for as long as it lives, and does
// all of a query's work that the SQL decides — prepare, plan, the read-only check and the rows.
// Plain JS so Node runs it without a loader.
//
// A process rather than a worker thread: SQLite cannot be interrupted from JavaScript
// (better-sqlite3 exposes no sqlite3_interrupt), and Worker#terminate() only takes effect
// when the thread returns to JS, so a thread stuck in one long sqlite3_step() could never be
// stopped. A process can always be killed; the pool kills this one on cancel or timeout.
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';

// The parent kills this process at its time limit; the watchdog is for when it cannot.
const DEADLINE_GRACE_MS = 2_000;
const OPEN_CONNECTIONS = 4;
const SCHEMA_HINT_TABLES = 200;
/** @type {{ memoryBytes: number; tempBytes: number; signals: { memory: string; temp: string } }} */
const limits = JSON.parse(process.argv[2] ?? '');

/**
 * @typedef {{ type: 'job'; id: number; path: string; sql: string; plan: boolean;
 *   maxRows: number; maxResultBytes: number; maxValueBytes: number; maxPlanSteps: number;
 *   maxPlanBytes: number; progressMs: number; timeoutMs: number }} Job
 */

// A watchdog thread, because this thread can sit inside one sqlite3_step() for as long as the
// query runs and handles nothing meanwhile. If the parent dies (it can no longer kill us; we
// are re-parented) or a job's deadline passes, it SIGKILLs the whole process.
// It also holds the job to two limits, ending the process with the signal the pool reads as
// that limit: memory (the build of SQLite that better-sqlite3 ships keeps no memory statistics,
// so `hard_heap_limit` is never enforced; the watchdog measures the process every 50 ms) and
// temporary storage (sorts and group-by tables spill to files SQLite unlinks as it opens them,
// so they are found through /proc/self/fd and measured while open).
const watchdog = new Worker(
  `const { readdirSync, readlinkSync, fstatSync } = require('node:fs');
  const { parentPort, workerData: w } = require('node:worker_threads');
  let deadline = Infinity;
  parentPort.on('message', (at) => { deadline = at; });
  function tempBytes() {
    let total = 0;
    let fds = [];
    try { fds = readdirSync('/proc/self/fd'); } catch { return 0; }
    for (const fd of fds) {
      try {
        if (readlinkSync('/proc/self/fd/' + fd).includes('etilqs_')) total += fstatSync(Number(fd)).size;
      } catch {}
    }
    return total;
  }
  let tick = 0;
  setInterval(() => {
    if (process.ppid !== w.ppid || Date.now() > deadline) process.kill(process.pid, 'SIGKILL');
    if (process.memoryUsage.rss() > w.limits.memoryBytes) process.kill(process.pid, w.limits.signals.memory);
    // Files grow no faster than a disk writes; every 100 ms, and only while a job runs.
    if (++tick % 2 === 0 && deadline !== Infinity && tempBytes() > w.limits.tempBytes) {
      process.kill(process.pid, w.limits.signals.temp);
    }
  }, 50);`,
  { eval: true, workerData: { ppid: process.ppid, limits } },
);
watchdog.unref();

function send(message) {
  // A parent that went away (killed, or closed the pool) leaves nobody to tell: exit quietly
  // rather than die with ERR_IPC_CHANNEL_CLOSED on the parent's log.
  if (!process.connected) process.exit(0);
  process.send?.(message, (err) => {
    if (err) process.exit(0);
  });
}

/** Open read-only connections by dataset path, newest use last; a warm page cache per file. */
const connections = new Map();

function connection(path) {
  let db = connections.get(path);
  if (db) {
    connections.delete(path);
  } else {
    db = new Database(path, { readonly: true, fileMustExist: true });
    db.pragma('query_only = 1');
  }
  connections.set(path, db);
  for (const [oldPath, old] of connections) {
    if (connections.size <= OPEN_CONNECTIONS) break;
    old.close();
    connections.delete(oldPath);
  }
  return db;
}

function forget(path) {
  const db = connections.get(path);
  connections.delete(path);
  if (db?.open) db.close();
}

/** A job-level failure with a code the parent maps to a run error code. */
class JobError extends Error {
  constructor(code, message, detail) {
    super(message);
    this.code = code;
    this.detail = detail;
  }
}

/** Tables and their columns, for the hint of an unknown table or column. */
function schemaOf(db) {
  const names = db
    .prepare(
      "SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name LIMIT ?",
    )
    .pluck()
    .all(SCHEMA_HINT_TABLES);
  return names.map((name) => ({
    name,
    columns: db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(name).map(String),
  }));
}

function prepare(db, sql) {
  try {
    return db.prepare(sql);
  } catch (err) {
    const message = String(err?.message ?? err);
    const sqliteCode = typeof err?.code === 'string' ? err.code : undefined;
    const schema = /^no such (table|column)/.test(message) ? schemaOf(db) : undefined;
    throw new JobError('PREPARE', message, { sqliteCode, schema });
  }
}

/** EXPLAIN QUERY PLAN, cut at `maxPlanSteps` steps or `maxPlanBytes` of detail text. */
function plan(db, job) {
  if (!job.plan) return { steps: [], more: false };
  const steps = [];
  let bytes = 0;
  for (const row of db.prepare(`EXPLAIN QUERY PLAN ${job.sql}`).iterate()) {
    bytes += row.detail.length;
    if (steps.length >= job.maxPlanSteps || bytes > job.maxPlanBytes) return { steps, more: true };
    steps.push({ id: row.id, parent: row.parent, detail: row.detail });
  }
  return { steps, more: false };
}

/** What a value costs once kept: about its serialised size, plus a fixed cost per value. */
function sizeOf(value) {
  if (typeof value === 'string') return 16 + Buffer.byteLength(value);
  if (value instanceof Uint8Array) return 16 + Math.ceil(value.byteLength / 3) * 4;
  return 16;
}

function valueBytes(value) {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (value instanceof Uint8Array) return value.byteLength;
  return 0;
}

/** @param {Job} job */
function run(job) {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const db = connection(job.path);
  const stmt = prepare(db, job.sql);
  const planned = plan(db, job);
  send({ type: 'planned', id: job.id, ...planned });
  // The parent screened the text; SQLite's own verdict, on the connection that runs it, decides.
  if (!stmt.readonly || !stmt.reader) {
    throw new JobError('NOT_READ_ONLY', 'Only read-only queries can run.', {
      readonly: stmt.readonly,
    });
  }
  send({ type: 'validated', id: job.id });

  stmt.raw(true);
  const columns = stmt.columns().map((c) => ({ name: c.name, type: c.type }));
  const rows = [];
  let rowCount = 0;
  let bytes = 0;
  /** @type {'rows' | 'bytes' | null} */
  let cut = null;
  let reported = performance.now();
  try {
    for (const row of stmt.iterate()) {
      rowCount++;
      if (cut === null) {
        if (rows.length >= job.maxRows) cut = 'rows';
        else {
          let rowBytes = 0;
          for (let i = 0; i < row.length; i++) {
            const size = valueBytes(row[i]);
            if (size > job.maxValueBytes) {
              throw new JobError('VALUE_TOO_LARGE', 'A value is larger than allowed.', {
                row: rowCount,
                column: columns[i]?.name ?? String(i + 1),
                bytes: size,
              });
            }
            rowBytes += sizeOf(row[i]);
          }
          if (bytes + rowBytes > job.maxResultBytes) cut = 'bytes';
          else {
            bytes += rowBytes;
            rows.push(row);
          }
        }
      }
      // Reading the clock costs more than a cheap row; every 256 rows is often enough.
      if ((rowCount & 255) === 0) {
        const now = performance.now();
        if (now - reported >= job.progressMs) {
          reported = now;
          send({ type: 'progress', id: job.id, fetched: rowCount });
        }
      }
    }
  } catch (err) {
    // Whatever state a failed step left the connection in, the next job gets a fresh one.
    forget(job.path);
    throw err;
  }
  send({
    type: 'done',
    id: job.id,
    columns,
    rows,
    rowCount,
    truncated: rowCount > rows.length,
    cut,
    bytes,
    elapsedMs: performance.now() - started,
    cpuMs: cpuMs(process.cpuUsage(cpu)),
    rss: process.memoryUsage.rss(),
  });
}

/** CPU time of the whole process (query thread and watchdog), in ms. */
function cpuMs({ user, system }) {
  return (user + system) / 1000;
}

function failure(job, err) {
  if (err instanceof JobError) {
    return { code: err.code, message: err.message, detail: err.detail };
  }
  const message = String(err?.message ?? err);
  // better-sqlite3 checks bindings itself and throws (RangeError, TypeError) with no SQLite code.
  if (typeof err?.code !== 'string' && /parameter/i.test(message)) {
    return { code: 'PARAMETERS', message };
  }
  if (typeof err?.code === 'string' && /^SQLITE_(NOMEM|FULL|TOOBIG)/.test(err.code)) {
    forget(job.path);
  }
  return { code: typeof err?.code === 'string' ? err.code : undefined, message };
}

process.on('message', (/** @type {Job} */ job) => {
  if (job?.type !== 'job') return;
  watchdog.postMessage(Date.now() + job.timeoutMs + DEADLINE_GRACE_MS);
  try {
    run(job);
  } catch (err) {
    send({ type: 'error', id: job.id, ...failure(job, err), rss: process.memoryUsage.rss() });
  } finally {
    // Idle until the next job: no deadline.
    watchdog.postMessage(Number.POSITIVE_INFINITY);
  }
});

// If the parent goes away, so does this process.
process.on('disconnect', () => process.exit(0));
// Only now is the listener in place; the parent sends jobs once it hears this.
send({ type: 'ready' });
