#!/usr/bin/env node
// The `querylane` command: loads the CLI's TypeScript source through tsx, in this process (so
// Ctrl+C reaches it directly); the repo ships no build step for the apps it runs from source.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
