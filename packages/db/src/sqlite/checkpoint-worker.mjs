// The WAL checkpointer's thread: its own connection to the history store, copying committed
// pages from the WAL into the database file every few hundred milliseconds, so that the fsyncs
// a checkpoint needs never run inside a commit on the server's thread. Plain JS: no loader.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { path, intervalMs } = workerData;
const db = new Database(path);
db.pragma('busy_timeout = 5000');

const timer = setInterval(() => {
  try {
    // PASSIVE never waits for readers or writers: it copies what it can and tries again later.
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    parentPort?.postMessage({ error: String(err) });
  }
}, intervalMs);

parentPort?.on('message', (msg) => {
  if (msg !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort?.close();
});
