import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Generous: the first test on a machine generates the shop dataset (a few seconds).
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
