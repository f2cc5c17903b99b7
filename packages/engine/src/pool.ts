// The SQL worker processes of one server, as an instance the app creates, passes to the SQL
// pipeline and closes at shutdown; nothing else can stop them.
import { liveSqlWorkers, stopSqlWorkers, warmSqlWorker } from './runner.ts';

export interface SqlWorkerPoolOptions {
  log?: (message: string, err?: unknown) => void;
}

export class SqlWorkerPool {
  #closed = false;

  constructor(_opts: SqlWorkerPoolOptions = {}) {
    warmSqlWorker();
  }

  /** Process ids of the workers running a query right now. */
  busy(): number[] {
    return liveSqlWorkers();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    stopSqlWorkers();
  }
}
