import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Generous ceilings, not expectations: the shop dataset is generated in several suites
    // and every query starts a worker process, which is slow on a loaded machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
