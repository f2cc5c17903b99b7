import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Generous ceilings, not expectations: suites generate the shop dataset and start worker
    // processes, which on a machine shared with other work (CI, parallel test runs) is slow.
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
