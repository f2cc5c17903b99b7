// Builds what npm ships: ESM JavaScript and one declaration file. @querylane/client, React and
// TanStack Query are the app's own (peer dependencies), so they stay imports.
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  dts: true,
  clean: true,
  esbuildOptions(options) {
    options.conditions = ['@querylane/source'];
    options.jsx = 'automatic';
  },
});
