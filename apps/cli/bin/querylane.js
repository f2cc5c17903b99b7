#!/usr/bin/env node
// The `querylane` command: the CLI compiled to dist/ by `npm install` (the workspace's `prepare`)
// or `npm run build -w @querylane/cli`; loaded in this process so Ctrl+C reaches it directly.
try {
  await import('../dist/main.js');
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes('dist/main.js')) {
    throw err;
  }
  process.stderr.write(
    'querylane: the CLI is not built yet; run `npm install` (or `npm run build -w @querylane/cli`) in the repository.\n',
  );
  process.exitCode = 2;
}
