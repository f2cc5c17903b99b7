// Two projects under one `vitest run`: fast unit tests of the SPA's pure logic, and the browser
// test that drives the built app in Chromium against the real server.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.{ts,tsx}'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['e2e/**/*.test.ts'],
          environment: 'node',
          // The first server start generates the demo dataset; the browser steps wait on the UI.
          testTimeout: 90_000,
          hookTimeout: 180_000,
          // One server and one browser per file; files must not race each other for CPU.
          fileParallelism: false,
        },
      },
    ],
  },
});
