// The verdict every hostile-client test ends with: a health request sent during the attack was
// answered before it ended, the process is still up with nothing in its log that only a bug
// prints, and what was stored before the attack reads back exactly the same.
import { expect } from 'vitest';
import { onCleanup } from '../scope.ts';
import { type Siege, startTarget, stillServing, type Target, witnessNow } from './kit.ts';

/** Each attack holds a real server process for seconds; on a loaded machine, many of them. */
export const HOSTILE_TIMEOUT_MS = 240_000;

/** A target process stopped (and its data removed) after the test. */
export async function hostileTarget(env: Record<string, string> = {}): Promise<Target> {
  const target = await startTarget(env);
  onCleanup(() => target.stop());
  return target;
}

export async function expectSurvived(target: Target, siege: Siege<unknown>): Promise<void> {
  expect(siege.begunAt).not.toBeNaN();
  expect(siege.answeredDuring.length).toBeGreaterThan(0);
  expect(await stillServing(target)).toEqual({ running: true, health: 200, bugLines: [] });
  expect(await witnessNow(target)).toEqual(target.witness.events);
}
