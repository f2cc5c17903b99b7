// The admin's live activity feed: every run that ended, every refusal, every connection opened
// and closed, and a restart, as one event union with a timestamp and a seq to resume after.
import { z } from 'zod';
import { RefusalKind } from './audit.ts';
import { RunErrorCode } from './run.ts';

const base = {
  seq: z.number().int().positive(),
  at: z.date(),
};

export const ActivityEvent = z.discriminatedUnion('type', [
  z.object({
    ...base,
    type: z.literal('run_finished'),
    runId: z.string(),
    userId: z.string(),
    datasetId: z.string(),
    status: z.enum(['completed', 'failed', 'cancelled', 'interrupted']),
    /** From the run's start (or its creation, if it never started) to its end. */
    durationMs: z.number().int().nonnegative(),
    /** Rows the query found (completed runs), else null. */
    rowCount: z.number().int().nonnegative().nullable(),
    errorCode: RunErrorCode.nullable(),
  }),
  z.object({
    ...base,
    type: z.literal('refused'),
    reason: RefusalKind,
    userId: z.string().nullable(),
    ip: z.string().nullable(),
    target: z.string().nullable(),
  }),
  z.object({
    ...base,
    type: z.literal('connection_opened'),
    connectionId: z.string(),
    userId: z.string().nullable(),
    ip: z.string(),
  }),
  z.object({
    ...base,
    type: z.literal('connection_closed'),
    connectionId: z.string(),
    userId: z.string().nullable(),
    ip: z.string(),
    durationMs: z.number().int().nonnegative(),
  }),
  /** An admin asked for a restart: clients are about to be told to reconnect. */
  z.object({
    ...base,
    type: z.literal('restarting'),
    by: z.string(),
    graceMs: z.number().int().nonnegative(),
  }),
]);
export type ActivityEvent = z.infer<typeof ActivityEvent>;
export type ActivityEventType = ActivityEvent['type'];

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** What the server reports; the feed stamps `seq` and `at`. */
export type ActivityEventInput = DistributiveOmit<ActivityEvent, 'seq' | 'at'>;
