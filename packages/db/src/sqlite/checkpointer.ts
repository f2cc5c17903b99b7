// Checkpoints the history store's WAL on a thread of its own. By default SQLite checkpoints
// inside the commit that crosses 1000 WAL pages, and with synchronous=NORMAL that checkpoint
// fsyncs the WAL and the database file: a stall of milliseconds on the thread that serves every
// request. Here the writer never checkpoints; a worker does, every `intervalMs`.
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/** SQLite's default, restored if the worker ever stops on its own. */
const DEFAULT_AUTOCHECKPOINT = 1000;

export class Checkpointer {
  readonly #worker: Worker;
  #stopping = false;

  constructor(
    path: string,
    sqlite: Database.Database,
    log: (message: string) => void,
    intervalMs = 200,
  ) {
    sqlite.pragma('wal_autocheckpoint = 0');
    // Without a size limit a WAL file keeps its largest size forever after a burst.
    sqlite.pragma('journal_size_limit = 67108864');
    this.#worker = new Worker(new URL('./checkpoint-worker.mjs', import.meta.url), {
      workerData: { path, intervalMs },
      execArgv: [],
    });
    this.#worker.unref();
    this.#worker.on('message', (msg: { error?: string }) => {
      if (msg.error) log(`WAL checkpoint failed: ${msg.error}`);
    });
    const fallBack = () => {
      if (this.#stopping || !sqlite.open) return;
      // The commits checkpoint again, as SQLite does by default.
      sqlite.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT}`);
    };
    this.#worker.on('error', (err) => {
      log(`WAL checkpointer stopped: ${String(err)}`);
      fallBack();
    });
    this.#worker.on('exit', fallBack);
  }

  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    const exited = once(this.#worker, 'exit');
    // Unref'd so it never keeps a process alive on its own; but a close waits for it.
    this.#worker.ref();
    this.#worker.postMessage('stop');
    await exited;
  }
}
