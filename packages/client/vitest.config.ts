import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The first server start on a machine generates the shop dataset (a few seconds).
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
