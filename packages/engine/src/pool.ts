// The SQL worker processes of one server, as an instance the app creates, passes to the SQL
// pipeline and closes at shutdown. Warm processes serve query after query; only a cancel, a
// timeout or a crash kills one, and its replacement is forked in the background.
import { availableParallelism } from 'node:os';
import { abortReason, QueryError, RunCancelledError } from './errors.ts';
import { DEFAULT_WORKER_MEMORY_BYTES, DEFAULT_WORKER_TEMP_BYTES, resolveLimits } from './limits.ts';
import { deathError, runJob, type SqlRunOptions, type SqlRunOutput, toJob } from './runner.ts';
import { SqlWorker, type WorkerLimits } from './worker-process.ts';

export interface SqlWorkerPoolOptions {
  /**
   * Warm processes kept: as many as runs execute at once (the run scheduler's concurrency), so
   * every run it admits finds one idle. Default: the number of cores, the scheduler's default.
   */
  size?: number;
  /** Resident memory one worker may reach while running a query; default 512 MiB. */
  memoryLimitBytes?: number;
  /** Temporary files one query may hold (sorts spilled to disk); default 1 GiB. */
  tempLimitBytes?: number;
  log?: (message: string, err?: unknown) => void;
}

/** Counts for metrics; `forked` less the live processes is how many were replaced. */
export interface SqlWorkerPoolStats {
  size: number;
  idle: number;
  busy: number;
  /** Forked, not yet ready. */
  starting: number;
  /** Queries handed to a worker since the pool was created. */
  served: number;
  forked: number;
  /** Forked because a query found no idle or starting worker (size below the concurrency). */
  forkedOnDemand: number;
  /** Killed to stop a query: a cancel, a timeout, a failed hook. */
  killed: number;
  /** Died on their own (a query over the memory limit, a crash). */
  died: number;
  /** Retired while healthy: over the pool's size, or worn (jobs served, memory held). */
  retired: number;
}

type State = 'starting' | 'idle' | 'busy';

// A long-lived process is retired after this many queries, or when it holds this much memory
// after one, so slow leaks and a heap grown by one big result do not stay for good.
const MAX_JOBS_PER_WORKER = 1_000;
const RETIRE_RSS_FRACTION = 0.5;
// Workers that die before they are ready, in a row, after which the pool stops replacing them
// in the background (a broken install would otherwise fork forever); a query still tries.
const MAX_FAILED_STARTS = 3;

export class SqlWorkerPool {
  readonly size: number;
  readonly limits: WorkerLimits;
  readonly #log: (message: string, err?: unknown) => void;
  readonly #workers = new Map<SqlWorker, State>();
  #closed = false;
  #jobIds = 0;
  #failedStarts = 0;
  #topUpScheduled = false;
  readonly #counts = { served: 0, forked: 0, forkedOnDemand: 0, killed: 0, died: 0, retired: 0 };

  constructor(opts: SqlWorkerPoolOptions = {}) {
    this.size = Math.max(1, Math.floor(opts.size ?? availableParallelism()));
    this.limits = {
      memoryBytes: opts.memoryLimitBytes ?? DEFAULT_WORKER_MEMORY_BYTES,
      tempBytes: opts.tempLimitBytes ?? DEFAULT_WORKER_TEMP_BYTES,
    };
    this.#log = opts.log ?? (() => {});
    for (let i = 0; i < this.size; i++) this.#fork();
  }

  /**
   * Runs one query on a warm worker. Rejects with QueryError (TIMEOUT, SQL_*, RESULT_TOO_LARGE,
   * RESOURCE_LIMIT …) or RunCancelledError; when it rejects because the query was stopped, the
   * worker that ran it has exited before the promise settles.
   */
  async run(opts: SqlRunOptions): Promise<SqlRunOutput> {
    const { signal } = opts;
    if (signal?.aborted) throw new RunCancelledError(abortReason(signal));
    if (this.#closed) {
      throw new QueryError('INTERRUPTED', 'The query was not run: the server is shutting down.');
    }
    const worker = this.#take();
    worker.jobs++;
    this.#counts.served++;
    const job = toJob(++this.#jobIds, opts, resolveLimits(opts));
    const outcome = await runJob(worker, job, opts, (exit) =>
      deathError(exit, { limits: this.limits, closing: this.#closed }),
    );
    if (outcome.ok) {
      this.#release(worker, outcome.rss);
      return outcome.output;
    }
    if (outcome.workerFree) this.#release(worker, outcome.rss);
    else if (worker.alive) {
      this.#counts.killed++;
      await worker.kill();
    } else if (!this.#closed) this.#counts.died++;
    throw outcome.error;
  }

  /** Process ids of the workers running a query right now. */
  busyPids(): number[] {
    return this.#pids('busy');
  }

  /** Process ids of the warm workers waiting for a query. */
  idlePids(): number[] {
    return this.#pids('idle');
  }

  stats(): SqlWorkerPoolStats {
    const count = (state: State) => [...this.#workers.values()].filter((s) => s === state).length;
    return {
      size: this.size,
      idle: count('idle'),
      busy: count('busy'),
      starting: count('starting'),
      ...this.#counts,
    };
  }

  /**
   * Resolves once `size` workers are idle (tests, benchmarks: call it when no query runs); at
   * once if the pool is closed. Rejects if workers keep dying before they are ready.
   */
  async warm(): Promise<void> {
    // Idle and starting workers do not hold the event loop open; the caller waiting here does.
    const keepAlive = setInterval(() => {}, 1_000);
    try {
      while (!this.#closed && this.idlePids().length < this.size) {
        if (this.#failedStarts >= MAX_FAILED_STARTS) {
          throw new Error('SQL worker processes keep failing to start; see the log.');
        }
        const starting = [...this.#workers].filter(([, s]) => s === 'starting').map(([w]) => w);
        if (starting.length === 0) await new Promise((r) => setTimeout(r, 10));
        else await Promise.allSettled(starting.map((w) => w.ready));
      }
    } finally {
      clearInterval(keepAlive);
    }
  }

  /** Kills every worker, busy ones too (their queries fail INTERRUPTED), and waits for them. */
  async close(): Promise<void> {
    this.#closed = true;
    const workers = [...this.#workers.keys()];
    await Promise.all(
      workers.map((w) => {
        w.busy(); // an unref'd process's exit would not hold the loop open for this wait
        return w.kill();
      }),
    );
  }

  #pids(state: State): number[] {
    return [...this.#workers].filter(([, s]) => s === state).map(([w]) => w.pid);
  }

  #fork(): SqlWorker {
    const worker = new SqlWorker(this.limits);
    this.#counts.forked++;
    this.#workers.set(worker, 'starting');
    worker.ready.then(
      () => {
        this.#failedStarts = 0;
        if (this.#workers.get(worker) === 'starting') this.#workers.set(worker, 'idle');
      },
      (err: unknown) => {
        // A worker killed by close() while it was starting is no failure to report.
        if (this.#closed) return;
        this.#failedStarts++;
        this.#log('an SQL worker process could not start', err);
      },
    );
    worker.onExit(() => {
      const state = this.#workers.get(worker);
      this.#workers.delete(worker);
      // An idle or starting worker that died by itself; a busy one is counted by its job, a
      // retired one is no longer in the map.
      if ((state === 'idle' || state === 'starting') && !this.#closed) this.#counts.died++;
      this.#scheduleTopUp();
    });
    return worker;
  }

  /** An idle worker, else one still starting, else a new one: never a wait for a busy one. */
  #take(): SqlWorker {
    let starting: SqlWorker | undefined;
    for (const [worker, state] of this.#workers) {
      if (state === 'idle' && worker.alive) return this.#hold(worker);
      if (state === 'starting' && worker.alive) starting ??= worker;
    }
    if (starting) return this.#hold(starting);
    this.#counts.forkedOnDemand++;
    return this.#hold(this.#fork());
  }

  #hold(worker: SqlWorker): SqlWorker {
    this.#workers.set(worker, 'busy');
    worker.busy();
    return worker;
  }

  /** A worker that answered goes back to idle, unless it is surplus or worn. */
  #release(worker: SqlWorker, rss: number | undefined): void {
    if (!worker.alive || !this.#workers.has(worker)) return;
    const worn =
      worker.jobs >= MAX_JOBS_PER_WORKER ||
      (rss ?? 0) > this.limits.memoryBytes * RETIRE_RSS_FRACTION;
    const others = this.#workers.size - 1;
    if (this.#closed || worn || others >= this.size) {
      this.#counts.retired++;
      this.#workers.delete(worker);
      void worker.kill();
      this.#scheduleTopUp();
      return;
    }
    worker.idle();
    this.#workers.set(worker, 'idle');
  }

  /** Forks, in the background, what brings the pool back to its size. */
  #scheduleTopUp(): void {
    if (this.#topUpScheduled || this.#closed) return;
    this.#topUpScheduled = true;
    setImmediate(() => {
      this.#topUpScheduled = false;
      if (this.#closed) return;
      if (this.#failedStarts >= MAX_FAILED_STARTS) return;
      while (this.#workers.size < this.size) this.#fork();
    });
  }
}
