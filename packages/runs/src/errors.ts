// Domain errors of the run lifecycle and its pipelines, and the one function that turns anything
// thrown into the serialisable RunError that is stored and streamed. They become TRPCErrors
// only at the procedure boundary (packages/api).
import { type RunError, type RunErrorCode, retryableCodes } from '@querylane/contracts';

/** A run failed for a reason its person can act on; `code` is from the closed set. */
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

/** Thrown by a pipeline when its signal is aborted; carries the abort reason. */
export class RunCancelledError extends Error {
  constructor(reason = 'Cancelled', opts: { cause?: unknown } = {}) {
    super(reason, { cause: opts.cause });
    this.name = 'RunCancelledError';
  }
}

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

/**
 * An append to a run that has already ended (its terminal event is stored): nothing more may be
 * written, so a late writer — a node whose lease passed to another, a stale announcement — is
 * refused rather than adding events after the end.
 */
export class RunEndedError extends Error {
  constructor(runId: string, opts: { cause?: unknown } = {}) {
    super(`Run ${JSON.stringify(runId)} has ended; its events are closed`, opts);
    this.name = 'RunEndedError';
  }
}

/**
 * An append whose first seq does not follow the run's stored one: another writer got there first.
 * Nothing of the batch was stored or shown, so the writer may read the run again and retry.
 */
export class SeqConflictError extends Error {
  constructor(runId: string, expected: number, stored: number, opts: { cause?: unknown } = {}) {
    super(
      `Run ${JSON.stringify(runId)}: events from seq ${expected + 1}, but ${stored} is stored`,
      opts,
    );
    this.name = 'SeqConflictError';
  }
}

/**
 * An append from a node that no longer holds the run: its lease ran out and another node took
 * the run over (to end it). The writer must stop; its events would contradict the run's end.
 */
export class LeaseLostError extends Error {
  constructor(runId: string, holder: string, opts: { cause?: unknown } = {}) {
    super(`Run ${JSON.stringify(runId)} is held by node ${holder} now`, opts);
    this.name = 'LeaseLostError';
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

/** The abort reason as the text a `cancelled` event carries. */
export function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (typeof reason === 'string' && reason !== '') return reason;
  if (reason instanceof Error && reason.name !== 'AbortError' && reason.message !== '') {
    return reason.message;
  }
  return 'Cancelled';
}
