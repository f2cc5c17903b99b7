// @querylane/contracts: the shapes every part of Querylane agrees on, each defined once as a
// zod schema and its type. Browser-safe: zod only, no Node built-ins, nothing else of ours.
export * from './activity.ts';
export * from './audit.ts';
export * from './chart.ts';
export * from './comment.ts';
export * from './identity.ts';
export * from './result.ts';
export * from './room.ts';
export * from './room-sets.ts';
export * from './run.ts';
export * from './sets.ts';
export * from './suggest.ts';
