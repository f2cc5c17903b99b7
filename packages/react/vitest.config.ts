import { defineConfig } from 'vitest/config';
import { sourceConditions } from '../../source-conditions.ts';

export default defineConfig({
  ...sourceConditions,
  test: {
    // The browser test installs the packed packages and starts the server and Chromium.
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
