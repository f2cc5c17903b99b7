// Domain errors of the run lifecycle and its pipelines, and the one function that turns anything
// thrown into the serialisable RunError that is stored and streamed. They become TRPCErrors
// only at the procedure boundary (packages/api).
import {
  type RefusalKind,
  type RunError,
  type RunErrorCode,
  type RunErrorDetails,
  retryableCodes,
} from '@querylane/contracts';

/** A run failed for a reason its person can act on; `code` is from the closed set. */
export class QueryError extends Error {
  readonly code: RunErrorCode;
  readonly hint: string | undefined;
  readonly retryable: boolean;
  /** What a refused question was understood as, examples that would work, the last query. */
  readonly details: RunErrorDetails | undefined;

  constructor(
    code: RunErrorCode,
    message: string,
    opts: { hint?: string; retryable?: boolean; details?: RunErrorDetails; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = 'QueryError';
    this.code = code;
    this.hint = opts.hint;
    this.retryable = opts.retryable ?? retryableCodes.has(code);
    this.details = opts.details;
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

/**
 * Not found for someone outside the room: the same message as for an id that never existed (so
 * nothing leaks), but the audit records that the thing was there.
 */
export class NotMemberError extends NotFoundError {
  readonly refusal = 'not_member' satisfies RefusalKind;
  readonly detail: Record<string, string>;

  constructor(what: string, id: string, opts: { cause?: unknown } = {}) {
    super(what, id, opts);
    this.name = 'NotMemberError';
    this.detail = { [what.toLowerCase()]: id };
  }
}

type Detail = Record<string, string | number | boolean | null>;

/** Someone in the room whose role does not allow this (a viewer who tries to run). */
export class ForbiddenError extends Error {
  readonly refusal = 'forbidden' satisfies RefusalKind;

  constructor(
    message: string,
    readonly detail: Detail,
    opts: { cause?: unknown } = {},
  ) {
    super(message, opts);
    this.name = 'ForbiddenError';
  }
}

/**
 * Refused until something changes, unlike a rate: a full room, sharing on a server where
 * everyone is the same user.
 */
export class PreconditionError extends Error {
  constructor(
    readonly refusal: RefusalKind,
    message: string,
    readonly detail: Detail,
    opts: { cause?: unknown } = {},
  ) {
    super(message, opts);
    this.name = 'PreconditionError';
  }
}

/** Too many actions too fast; `retryAfterMs` says when the next one will be accepted. */
export class RateLimitedError extends Error {
  readonly refusal: RefusalKind | undefined;
  readonly detail: Detail;

  constructor(
    what: string,
    readonly retryAfterMs: number,
    opts: { cause?: unknown; refusal?: RefusalKind; detail?: Detail } = {},
  ) {
    super(`${what}: try again in ${Math.max(1, Math.ceil(retryAfterMs / 1000))} s.`, opts);
    this.name = 'RateLimitedError';
    this.refusal = opts.refusal;
    this.detail = { retryAfterMs, ...opts.detail };
  }
}

/** A request that cannot mean anything (sharing a room with its own owner). */
export class InvalidRequestError extends Error {
  constructor(message: string, opts: { cause?: unknown } = {}) {
    super(message, opts);
    this.name = 'InvalidRequestError';
  }
}

export class ConflictError extends Error {
  constructor(message: string, opts: { cause?: unknown } = {}) {
    super(message, opts);
    this.name = 'ConflictError';
  }
}

/**
 * What a store error means for whoever called: `busy` (another writer holds a lock; a moment
 * later may work), `full` (no room left on the disk or under the store's size cap), or null for
 * anything else. Covers SQLite's codes and PostgreSQL's SQLSTATEs.
 */
export type StoreFault = 'busy' | 'full';

export function storeFault(err: unknown): StoreFault | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return null;
  if (/^SQLITE_(BUSY|LOCKED)/.test(code) || ['40001', '40P01', '55P03'].includes(code)) {
    return 'busy';
  }
  if (/^SQLITE_FULL/.test(code) || code === '53100' || code === 'ENOSPC') return 'full';
  return null;
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
      ...(err.details === undefined ? {} : { details: err.details }),
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
