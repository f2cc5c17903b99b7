// The run contract: statuses, stages, error codes and the one event union that pipelines emit,
// the store keeps and subscriptions stream. Every consumer's types are inferred from these.
import { z } from 'zod';
import { Result } from './result.ts';
import { type RunEventType, runStatuses, stages } from './sets.ts';

export const Stage = z.enum(stages);
export type Stage = z.infer<typeof Stage>;

export const RunStatus = z.enum(runStatuses);
export type RunStatus = z.infer<typeof RunStatus>;

export const RunErrorCode = z.enum([
  'SQL_EMPTY',
  'SQL_SYNTAX',
  'SQL_MULTIPLE_STATEMENTS',
  'SQL_NOT_READ_ONLY',
  'SQL_FORBIDDEN',
  'SQL_RUNTIME',
  'TIMEOUT',
  'ROW_LIMIT',
  'RESULT_TOO_LARGE',
  'RESOURCE_LIMIT',
  'DATASET_NOT_FOUND',
  'DATASET_UNAVAILABLE',
  'INTERRUPTED',
  /** The history store could not take the run's events (busy, or full), so it was stopped. */
  'STORE_UNAVAILABLE',
  'INTERNAL',
  /** A question the offline translator (and the model, if any) could not turn into a query. */
  'NOT_UNDERSTOOD',
  /** A question with several sensible readings; `details.readings` lists them. */
  'AMBIGUOUS',
  /** Every generated query was invalid; the message carries the last error. */
  'SQL_GENERATION_FAILED',
  /** The model endpoint is down, timed out or answered with an error. */
  'MODEL_UNAVAILABLE',
]);
export type RunErrorCode = z.infer<typeof RunErrorCode>;

/** Codes worth trying again unchanged: the same input may succeed next time. */
export const retryableCodes: ReadonlySet<RunErrorCode> = new Set([
  'TIMEOUT',
  'DATASET_UNAVAILABLE',
  'INTERRUPTED',
  'STORE_UNAVAILABLE',
  'INTERNAL',
  'MODEL_UNAVAILABLE',
]);

/**
 * What a refused question was understood as, so a client can show it and offer questions that
 * would work; and, after failed generation, the last query tried.
 */
export const RunErrorDetails = z.object({
  /** Phrases that were understood, each with what it meant (`"revenue" → the measure revenue`). */
  understood: z.array(z.string().max(300)).max(50).optional(),
  /** Words that were not understood. */
  unknownWords: z.array(z.string().max(100)).max(50).optional(),
  /** The candidate readings of an AMBIGUOUS question. */
  readings: z.array(z.string().max(500)).max(20).optional(),
  /** Questions about this dataset that would be answered. */
  examples: z.array(z.string().max(300)).max(10).optional(),
  /** The last query tried (SQL_GENERATION_FAILED). */
  sql: z.string().max(20_000).optional(),
});
export type RunErrorDetails = z.infer<typeof RunErrorDetails>;

export const RunError = z.object({
  code: RunErrorCode,
  message: z.string(),
  hint: z.string().optional(),
  retryable: z.boolean(),
  details: RunErrorDetails.optional(),
});
export type RunError = z.infer<typeof RunError>;

export const PlanStep = z.object({
  id: z.number().int(),
  parent: z.number().int(),
  detail: z.string(),
});
export type PlanStep = z.infer<typeof PlanStep>;

const base = {
  seq: z.number().int().positive(),
  runId: z.string(),
  at: z.date(),
};

export const RunEvent = z.discriminatedUnion('type', [
  z.object({ ...base, type: z.literal('started'), query: z.string(), datasetId: z.string() }),
  z.object({
    ...base,
    type: z.literal('stage'),
    stage: Stage,
    progress: z.number().int().min(0).max(100),
    message: z.string(),
  }),
  /** Waiting for a free slot; `position` 1 starts next. Sent again whenever it changes. */
  z.object({ ...base, type: z.literal('queued'), position: z.number().int().positive() }),
  z.object({ ...base, type: z.literal('plan'), steps: z.array(PlanStep) }),
  z.object({ ...base, type: z.literal('rows'), fetched: z.number().int().nonnegative() }),
  z.object({
    ...base,
    type: z.literal('retry'),
    stage: Stage,
    attempt: z.number().int().positive(),
    maxAttempts: z.number().int().positive(),
    reason: z.string(),
  }),
  /**
   * A piece of a question's answer (markdown) while it is written. `attempt` starts at 1; a new
   * attempt (after a review `retry`) replaces the text of the previous one.
   */
  z.object({
    ...base,
    type: z.literal('answer'),
    attempt: z.number().int().positive(),
    delta: z.string(),
  }),
  z.object({ ...base, type: z.literal('completed'), result: Result }),
  z.object({ ...base, type: z.literal('failed'), error: RunError }),
  z.object({ ...base, type: z.literal('cancelled'), reason: z.string() }),
]);
export type RunEvent = z.infer<typeof RunEvent>;
// The union and the zod-free list of its types must name the same set.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const eventTypesAgree: Same<RunEvent['type'], RunEventType> = true;
export type EventOf<T extends RunEventType> = Extract<RunEvent, { type: T }>;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** What a pipeline emits; the run's recorder stamps `seq`, `runId` and `at`. */
export type RunEventInput = DistributiveOmit<RunEvent, 'seq' | 'runId' | 'at'>;

/** The status a terminal event leaves its run in. */
export function statusAfter(event: EventOf<'completed' | 'failed' | 'cancelled'>): RunStatus {
  if (event.type === 'failed') return event.error.code === 'INTERRUPTED' ? 'interrupted' : 'failed';
  return event.type;
}
