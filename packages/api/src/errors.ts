// Domain errors become TRPCErrors here, at the procedure boundary, and nowhere else.
import { ConflictError, NotFoundError, QueryError, storeFault } from '@querylane/runs';
import { TRPCError } from '@trpc/server';

/** Too many actions too fast; `retryAfterMs` says when the next one will be accepted. */
export class RateLimitedError extends Error {
  constructor(
    what: string,
    readonly retryAfterMs: number,
    opts: { cause?: unknown } = {},
  ) {
    super(`${what}: try again in ${Math.max(1, Math.ceil(retryAfterMs / 1000))} s.`, opts);
    this.name = 'RateLimitedError';
  }
}

const storeMessages = {
  busy: 'The history store is busy (another process holds it); try again in a moment.',
  full: 'The history store is full: nothing new can be saved until space is freed.',
} as const;

export function toTRPCError(err: unknown): TRPCError | undefined {
  if (err instanceof TRPCError) return err;
  if (err instanceof NotFoundError) {
    return new TRPCError({ code: 'NOT_FOUND', message: err.message, cause: err });
  }
  if (err instanceof ConflictError) {
    return new TRPCError({ code: 'CONFLICT', message: err.message, cause: err });
  }
  if (err instanceof RateLimitedError) {
    return new TRPCError({ code: 'TOO_MANY_REQUESTS', message: err.message, cause: err });
  }
  if (err instanceof QueryError && err.code === 'DATASET_NOT_FOUND') {
    return new TRPCError({ code: 'NOT_FOUND', message: err.message, cause: err });
  }
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
    return new TRPCError({ code: 'PRECONDITION_FAILED', message: err.message, cause: err });
  }
  return undefined;
}
