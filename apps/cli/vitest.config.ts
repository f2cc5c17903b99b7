import { defineConfig } from 'vitest/config';
import { sourceConditions } from '../../source-conditions.ts';

export default defineConfig({
  ...sourceConditions,
  test: {
    // The tests spawn the compiled CLI; it is built from the current source first.
    globalSetup: ['./src/test/build.ts'],
    // The first server start on a machine generates the shop dataset.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
