// @querylane/runs: the run lifecycle with no tRPC and no drivers. Its ports (ports.ts) are what
// adapters implement; everything else here is the domain logic that joins them.
export * from './errors.ts';
export type * from './ports.ts';
