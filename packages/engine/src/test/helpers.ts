// Helpers the engine's tests share: process liveness, awaited rejections, the queries that
// never end on their own, and the CTE chain whose compile cost doubles per level.
import { readFileSync } from 'node:fs';

// Never finishes on its own: only a timeout or a cancel ends it.
export const ENDLESS =
  'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c';

/** `levels` CTEs, each reading the one before twice: prepare and plan cost double per level. */
export function doublingCtes(levels: number): string {
  const ctes = ['c0 AS NOT MATERIALIZED (SELECT 1 AS x)'];
  for (let i = 1; i <= levels; i++) {
    ctes.push(
      `c${i} AS NOT MATERIALIZED (SELECT (SELECT x FROM c${i - 1})+(SELECT x FROM c${i - 1}) AS x)`,
    );
  }
  return `WITH ${ctes.join(', ')} SELECT * FROM c${levels}`;
}

/** True while a process with this id runs (a zombie, dead but not yet reaped, does not). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true; // no /proc: kill(pid, 0) is all we know
  }
}

export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to reject');
}
