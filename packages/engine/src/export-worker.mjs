// Streams every row of one read-only query to the parent in batches, for a CSV of a whole result:
// no row cap, and no more than one batch ahead of what the parent has written out (it asks for
// each next batch), so a result of millions of rows never sits in memory. Plain JS, one query
// per process, killed by the parent when it is done, cancelled or out of time.
import Database from 'better-sqlite3';

// SQLite's own allocations are not JS heap; cap them as the query worker does.
const HEAP_LIMIT_BYTES = 512 * 1024 * 1024;

/** @param {unknown} message */
function send(message) {
  process.send?.(message);
}

/** Resolves on the parent's next 'more'. */
function more() {
  return new Promise((resolve) => {
    /** @param {unknown} message */
    const onMessage = (message) => {
      if (message !== 'more') return;
      process.off('message', onMessage);
      resolve(undefined);
    };
    process.on('message', onMessage);
  });
}

/** @param {{ path: string; sql: string; batchRows: number }} job */
async function run(job) {
  const db = new Database(job.path, { readonly: true, fileMustExist: true });
  try {
    db.pragma('query_only = 1');
    db.pragma(`hard_heap_limit = ${HEAP_LIMIT_BYTES}`);
    const stmt = db.prepare(job.sql);
    if (!stmt.readonly || !stmt.reader) {
      send({ type: 'error', message: 'Only read-only queries can run.', code: 'NOT_READ_ONLY' });
      return;
    }
    stmt.raw(true);
    send({ type: 'columns', columns: stmt.columns().map((c) => ({ name: c.name, type: c.type })) });
    /** @type {unknown[][]} */
    let batch = [];
    let rowCount = 0;
    await more();
    for (const row of stmt.iterate()) {
      batch.push(/** @type {unknown[]} */ (row));
      rowCount++;
      if (batch.length >= job.batchRows) {
        send({ type: 'rows', rows: batch });
        batch = [];
        await more();
      }
    }
    if (batch.length > 0) {
      send({ type: 'rows', rows: batch });
      await more();
    }
    send({ type: 'done', rowCount });
  } finally {
    db.close();
  }
}

process.once('message', (job) => {
  run(/** @type {{ path: string; sql: string; batchRows: number }} */ (job)).catch((err) => {
    const e = /** @type {{ message?: unknown; code?: unknown }} */ (err ?? {});
    send({
      type: 'error',
      message: String(e.message ?? err),
      code: typeof e.code === 'string' ? e.code : undefined,
    });
  });
});

process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
