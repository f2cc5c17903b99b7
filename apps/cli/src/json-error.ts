// The one JSON shape of a failure, printed on stdout under --json (the message still goes to
// stderr), so a script reads why it failed from the same stream as a result.

export interface ErrorReport {
  /** A run's code (`SQL_SYNTAX`, `CANCELLED`, …), a tRPC code, `USAGE`, `UNREACHABLE` or `UNEXPECTED`. */
  code: string;
  message: string;
  exitCode: number;
  hint?: string | undefined;
  runId?: string | undefined;
}

export function jsonError(report: ErrorReport): string {
  const { code, message, exitCode, hint, runId } = report;
  return `${JSON.stringify({
    error: {
      code,
      message,
      ...(hint ? { hint } : {}),
      ...(runId ? { runId } : {}),
      exitCode,
    },
  })}\n`;
}
