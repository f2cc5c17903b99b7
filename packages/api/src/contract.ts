// The store (packages/db) and the engine keep their own copies of two closed sets so neither
// depends on the other; this file makes the compiler hold the copies equal.
import type { RunStatusValue, schema } from '@querylane/db';
import type { RunStatus, Stage } from '@querylane/engine';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

export const statusesAgree: Same<RunStatusValue, RunStatus> = true;
export const stagesAgree: Same<(typeof schema.stages)[number], Stage> = true;
