// Compiles the CLI once into dist/ (run by `prepare`, so `npm install` leaves `npx querylane`
// working). @querylane/client is bundled from its source; npm packages stay external.
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { main: 'src/main.ts' },
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // The client and its transport land in a chunk that only a real command loads.
  splitting: true,
  clean: true,
  esbuildOptions(options) {
    options.conditions = ['@querylane/source'];
  },
});
