// What one run may use, with the engine's defaults written once: rows, time, progress events,
// result bytes; and the fixed caps on a query plan and on a worker process's memory.
import type { RunLimits } from '@querylane/runs';

/** A run's limits with every field decided, as the engine works with them. */
export type ResolvedLimits = Required<RunLimits>;

export const DEFAULT_RUN_LIMITS: Readonly<ResolvedLimits> = {
  maxRows: 1_000,
  timeoutMs: 30_000,
  progressMs: 250,
  // Every kept byte is later serialised, stored and sent on the main thread; 2 MiB keeps that
  // under ~100 ms for the worst shape (many tiny values) and holds any ordinary result whole.
  maxResultBytes: 2 * 1024 * 1024,
  maxValueBytes: 1024 * 1024,
};

/**
 * `rows` events are never closer together than this, whatever `progressMs` asks for: at most
 * 200 a second per run (the chaos and slow-consumer tests use it to get runs with many events).
 */
export const MIN_PROGRESS_MS = 5;

/** A plan event carries at most this many steps and this much detail text. */
export const MAX_PLAN_STEPS = 200;
export const MAX_PLAN_BYTES = 64 * 1024;

/**
 * Resident memory one worker process may reach while it runs a query (SQLite's caches and
 * in-memory sorts, plus the rows it holds); past it the query fails with RESOURCE_LIMIT.
 */
export const DEFAULT_WORKER_MEMORY_BYTES = 512 * 1024 * 1024;

/** Temporary files (sorts, group-by tables spilled to disk) one query may hold open at once. */
export const DEFAULT_WORKER_TEMP_BYTES = 1024 * 1024 * 1024;

/** The limits a run gets: the caller's where given, the defaults elsewhere, progress clamped. */
export function resolveLimits(limits: Partial<RunLimits> = {}): ResolvedLimits {
  const merged = { ...DEFAULT_RUN_LIMITS };
  for (const key of Object.keys(merged) as (keyof ResolvedLimits)[]) {
    const value = limits[key];
    if (value !== undefined) merged[key] = value;
  }
  merged.progressMs = Math.max(MIN_PROGRESS_MS, merged.progressMs);
  return merged;
}
