// Domain errors become TRPCErrors here, at the procedure boundary, and nowhere else.
import type { RefusalKind } from '@querylane/contracts';
import {
  ConflictError,
  ForbiddenError,
  InvalidRequestError,
  NotFoundError,
  PreconditionError,
  QueryError,
  RateLimitedError,
  storeFault,
} from '@querylane/runs';
import { TRPCError } from '@trpc/server';

export { RateLimitedError };

const storeMessages = {
  busy: 'The history store is busy (another process holds it); try again in a moment.',
  full: 'The history store is full: nothing new can be saved until space is freed.',
} as const;

export function toTRPCError(err: unknown): TRPCError | undefined {
  if (err instanceof TRPCError) return err;
  const mapped = (code: TRPCError['code']) =>
    new TRPCError({ code, message: (err as Error).message, cause: err });
  if (err instanceof NotFoundError) return mapped('NOT_FOUND');
  if (err instanceof ForbiddenError) return mapped('FORBIDDEN');
  if (err instanceof ConflictError) return mapped('CONFLICT');
  if (err instanceof RateLimitedError) return mapped('TOO_MANY_REQUESTS');
  if (err instanceof PreconditionError) return mapped('PRECONDITION_FAILED');
  if (err instanceof InvalidRequestError) return mapped('BAD_REQUEST');
  if (err instanceof QueryError && err.code === 'DATASET_NOT_FOUND') return mapped('NOT_FOUND');
  // The store could not take a write: the caller learns why, the server log has the rest.
  const fault = storeFault(err);
  if (fault) {
    return new TRPCError({
      code: 'SERVICE_UNAVAILABLE',
      message: storeMessages[fault],
      cause: err,
    });
  }
  if (err instanceof QueryError && err.code === 'DATASET_UNAVAILABLE') {
    // A dataset whose semantic-model file is broken, for instance: the message says how.
    return mapped('PRECONDITION_FAILED');
  }
  return undefined;
}

/** A refusal a domain error carries for the audit (outsiders, roles, full rooms, rates). */
export function refusalOf(
  err: unknown,
): { reason: RefusalKind; detail: Record<string, string | number | boolean | null> } | undefined {
  const e = err as { refusal?: unknown; detail?: unknown } | null;
  if (!e || typeof e.refusal !== 'string' || !(err instanceof Error)) return undefined;
  return {
    reason: e.refusal as RefusalKind,
    detail: (e.detail ?? {}) as Record<string, string | number | boolean | null>,
  };
}
