// One SQL worker process (`sql-worker.mjs`) as the pool sees it: forked, ready when it says so,
// exited when the OS says so. Jobs go through `runner.ts`; the pool decides its life.
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WORKER_PATH = fileURLToPath(new URL('./sql-worker.mjs', import.meta.url));

/** What one worker process may use while it runs a query; the watchdog holds it to them. */
export interface WorkerLimits {
  memoryBytes: number;
  tempBytes: number;
}

/**
 * The signals the worker's watchdog ends the process with when a query goes over a limit, so
 * the pool can say which; neither is handled by Node, so either ends the process at once.
 */
export const LIMIT_SIGNALS = { memory: 'SIGUSR2', temp: 'SIGALRM' } as const;

export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class SqlWorker {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves once the worker listens for jobs; rejects if it dies or cannot start first. */
  readonly ready: Promise<void>;
  readonly exited: Promise<WorkerExit>;
  /** Jobs this process has been handed. */
  jobs = 0;
  #exit: WorkerExit | undefined;

  constructor(limits: WorkerLimits) {
    this.child = fork(WORKER_PATH, [JSON.stringify({ ...limits, signals: LIMIT_SIGNALS })], {
      // Not the parent's flags: under tsx or Vitest those load TS hooks the worker does not need.
      execArgv: [],
      serialization: 'advanced', // structured clone, so blobs arrive as bytes
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    this.pid = this.child.pid ?? -1;
    this.exited = new Promise((resolve) => {
      const done = (code: number | null, signal: NodeJS.Signals | null) => {
        this.#exit ??= { code, signal };
        resolve(this.#exit);
      };
      this.child.once('exit', done);
      // A spawn that failed emits 'error' and never 'exit'. Errors are only ever reported
      // through `ready`, `exited` and a job's send callback; an unheard 'error' would throw.
      this.child.on('error', () => {
        if (this.child.pid === undefined) done(null, null);
      });
    });
    this.ready = new Promise<void>((resolve, reject) => {
      const onMessage = (msg: { type?: unknown }) => {
        if (msg?.type !== 'ready') return;
        this.child.off('message', onMessage);
        resolve();
      };
      this.child.on('message', onMessage);
      this.child.once('error', reject);
      void this.exited.then(() => reject(new Error('The SQL worker exited before it was ready.')));
    });
    this.ready.catch(() => {}); // observed by whoever takes the worker
    this.idle();
  }

  /** Calls `listener` once the process has exited (at once if it has); returns the undo. */
  onExit(listener: (exit: WorkerExit) => void): () => void {
    if (this.#exit) {
      listener(this.#exit);
      return () => {};
    }
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      listener(this.#exit ?? { code, signal });
    this.child.once('exit', onExit);
    return () => this.child.off('exit', onExit);
  }

  get alive(): boolean {
    return (
      this.#exit === undefined && this.child.exitCode === null && this.child.signalCode === null
    );
  }

  /** While a job runs, the worker keeps the parent's event loop alive. */
  busy(): void {
    this.child.ref();
    this.child.channel?.ref();
  }

  /** An idle worker must not keep a CLI or a test run alive. */
  idle(): void {
    this.child.unref();
    this.child.channel?.unref();
  }

  /** SIGKILL (the worker may be deep inside SQLite, where no gentler signal is handled). */
  async kill(): Promise<WorkerExit> {
    if (this.alive) this.child.kill('SIGKILL');
    return this.exited;
  }
}
