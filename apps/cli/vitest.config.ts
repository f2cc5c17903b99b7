import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Each test spawns the CLI (tsx compiles it on first start); the first server start on a
    // machine generates the shop dataset.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
