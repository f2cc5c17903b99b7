// Input schemas shared by the routers, each with real limits.
import { z } from 'zod';

export const Id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'Ids are letters, digits, "-" and "_"');

export const DatasetId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'Dataset ids are letters, digits, "-" and "_"');

/** Characters in one query (also published to clients by discovery). */
export const MAX_QUERY_CHARS = 100_000;

export const QueryText = z
  .string()
  .max(MAX_QUERY_CHARS, 'Queries are at most 100,000 characters')
  .refine((q) => q.trim().length > 0, 'The query is empty');

export const QuestionText = z
  .string()
  .max(2_000, 'Questions are at most 2,000 characters')
  .refine((q) => q.trim().length > 0, 'The question is empty');

export const Title = z.string().trim().min(1).max(200);

export const PageLimit = z.number().int().min(1).max(100);

/**
 * The id of the last event a subscriber saw: a stored event's seq, or `seq-n` for a signal
 * that is not history (presence, figures) sent after it. Resuming after either continues after
 * that seq.
 */
export const LastEventId = z
  .string()
  .regex(/^\d{1,16}(-\d{1,10})?$/, 'lastEventId is the id of an event this stream sent')
  .nullish();

export const afterSeqOf = (lastEventId: string | null | undefined): number | null =>
  lastEventId ? Number(lastEventId.split('-')[0]) : null;
