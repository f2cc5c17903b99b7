// The error `run()` rejects with when a run ends without a result: it carries the run's code,
// so callers can branch on `err.code` instead of parsing messages.
import type { RunErrorCode } from './types.ts';

/** The server's closed set of failure codes, plus `CANCELLED` for a run that was cancelled. */
export type RunEndCode = RunErrorCode | 'CANCELLED';

export class QuerylaneRunError extends Error {
  readonly code: RunEndCode;
  readonly runId: string;
  readonly hint: string | undefined;
  readonly retryable: boolean;

  constructor(opts: {
    code: RunEndCode;
    message: string;
    runId: string;
    hint?: string | undefined;
    retryable?: boolean;
    cause?: unknown;
  }) {
    super(opts.message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'QuerylaneRunError';
    this.code = opts.code;
    this.runId = opts.runId;
    this.hint = opts.hint;
    this.retryable = opts.retryable ?? false;
  }
}
