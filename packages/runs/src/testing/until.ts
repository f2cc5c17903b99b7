// Waiting on a condition in tests, with room for a loaded CI machine.
import { vi } from 'vitest';

/** `vi.waitFor` with a generous ceiling: it still returns as soon as `check` passes. */
export function until<T>(check: () => T | Promise<T>, timeout = 30_000): Promise<T> {
  return vi.waitFor(check, { timeout, interval: 20 });
}
