// Builds what npm ships: ESM JavaScript and ONE declaration file with the router's types inlined,
// so a consumer needs only the runtime dependencies (tRPC client, superjson) and no server code.
import { readFile } from 'node:fs/promises';
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: 'esm',
  // Browsers and Node 20+ alike; nothing here touches a Node built-in.
  platform: 'neutral',
  target: 'es2022',
  dts: {
    // Contracts' predicates are re-exported, so their declarations are inlined from source; the
    // router's types need nothing else of ours (src/router.ts prints them in full).
    compilerOptions: {
      paths: { '@querylane/contracts': ['../contracts/src/index.ts'] },
    },
  },
  clean: true,
  // @querylane/contracts (devDependency) is bundled: only its predicates and transformer run here.
  esbuildOptions(options) {
    options.conditions = ['@querylane/source'];
  },
  esbuildPlugins: [
    {
      // The client reads its version from package.json; only that field goes into the bundle.
      name: 'package-version-only',
      setup(build) {
        build.onLoad({ filter: /[\\/]package\.json$/ }, async ({ path }) => ({
          contents: JSON.stringify({ version: JSON.parse(await readFile(path, 'utf8')).version }),
          loader: 'json',
        }));
      },
    },
  ],
});
