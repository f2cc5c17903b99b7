// Domain errors of the api's services; they become TRPCErrors only at the procedure boundary.

import { QueryError } from '@querylane/engine';
import { TRPCError } from '@trpc/server';

export class NotFoundError extends Error {
  constructor(what: string, id: string, opts: { cause?: unknown } = {}) {
    super(`${what} ${JSON.stringify(id)} was not found`, opts);
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends Error {
  constructor(message: string, opts: { cause?: unknown } = {}) {
    super(message, opts);
    this.name = 'ConflictError';
  }
}

export function toTRPCError(err: unknown): TRPCError | undefined {
  if (err instanceof TRPCError) return err;
  if (err instanceof NotFoundError) {
    return new TRPCError({ code: 'NOT_FOUND', message: err.message, cause: err });
  }
  if (err instanceof ConflictError) {
    return new TRPCError({ code: 'CONFLICT', message: err.message, cause: err });
  }
  if (err instanceof QueryError && err.code === 'DATASET_NOT_FOUND') {
    return new TRPCError({ code: 'NOT_FOUND', message: err.message, cause: err });
  }
  return undefined;
}
