// Domain errors of the pipeline and the one function that turns anything thrown into the
// serialisable RunError that is stored and streamed.
import { type RunError, type RunErrorCode, retryableCodes } from '@querylane/contracts';

export class QueryError extends Error {
  readonly code: RunErrorCode;
  readonly hint: string | undefined;
  readonly retryable: boolean;

  constructor(
    code: RunErrorCode,
    message: string,
    opts: { hint?: string; retryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = 'QueryError';
    this.code = code;
    this.hint = opts.hint;
    this.retryable = opts.retryable ?? retryableCodes.has(code);
  }
}

/** Thrown by the pipeline when its signal is aborted; carries the abort reason. */
export class RunCancelledError extends Error {
  constructor(reason = 'Cancelled', opts: { cause?: unknown } = {}) {
    super(reason, { cause: opts.cause });
    this.name = 'RunCancelledError';
  }
}

export function toRunError(err: unknown): RunError {
  if (err instanceof QueryError) {
    return {
      code: err.code,
      message: err.message,
      ...(err.hint === undefined ? {} : { hint: err.hint }),
      retryable: err.retryable,
    };
  }
  // Internal failures keep their message out of the stream: it may name paths or internals.
  return {
    code: 'INTERNAL',
    message: 'The query failed because of an internal error.',
    hint: 'Try again; if it keeps failing, the server log has the details.',
    retryable: true,
  };
}
