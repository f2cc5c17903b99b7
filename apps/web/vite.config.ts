// Builds the SPA; in dev, proxies tRPC (HTTP and the WebSocket upgrade) to the server on :3000
// so the app talks to the same origin in dev and in production.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { sourceConditions } from '../../source-conditions.ts';

const apiTarget = 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [react()],
  // @querylane/client and @querylane/react from their source, not from their npm build.
  resolve: sourceConditions.resolve,
  server: {
    proxy: {
      // No changeOrigin: the Host header stays the page's, so the server sees a same-origin
      // request (its Origin allowlist refuses any other origin).
      '/trpc': { target: apiTarget, ws: true },
      // CSV of every row of a run, streamed by the server.
      '/runs': { target: apiTarget },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
  },
});
