// Turns whatever ended a command into one short message and an exit code. People see codes and
// hints, never a stack trace (unless QUERYLANE_DEBUG is set); --json gets the same as an object.
import { QuerylaneRunError } from '@querylane/client';
import type { ErrorReport } from './json-error.ts';

export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  unreachable: 3,
  interrupted: 130,
} as const;

/** Something wrong with what was asked (a token file that is missing, empty SQL): exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/** The network error code behind a failed request (fetch wraps it in `cause`), if that is what it is. */
export function networkProblem(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  let fetchFailed = false;
  while (queue.length > 0) {
    const e = queue.shift();
    if (!e || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    const { code, message, cause, errors } = e as {
      code?: unknown;
      message?: unknown;
      cause?: unknown;
      errors?: unknown;
    };
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    if (message === 'fetch failed') fetchFailed = true;
    queue.push(cause);
    if (Array.isArray(errors)) queue.push(...errors);
  }
  return fetchFailed ? 'fetch failed' : undefined;
}

interface FlattenedIssues {
  formErrors?: string[];
  fieldErrors?: Record<string, string[] | undefined>;
}

/** A tRPC error's code and its clearest message (the zod issues of a BAD_REQUEST). */
function trpcProblem(err: unknown): { code: string; message: string } | undefined {
  const { data, message } = err as {
    data?: { code?: unknown; zodError?: FlattenedIssues | null };
    message?: unknown;
  };
  if (!data || typeof data.code !== 'string' || typeof message !== 'string') return undefined;
  const issues = [
    ...(data.zodError?.formErrors ?? []),
    ...Object.entries(data.zodError?.fieldErrors ?? {}).flatMap(([field, messages]) =>
      (messages ?? []).map((m) => `${field}: ${m}`),
    ),
  ];
  return { code: data.code, message: issues.length > 0 ? issues.join('; ') : message };
}

export interface Explained extends ErrorReport {
  /** What a person reads on stderr: the message, then the hint and run id on their own lines. */
  text: string;
}

export function explain(
  err: unknown,
  ctx: { url: string; interrupted: boolean; debug: boolean },
): Explained {
  if (err instanceof UsageError) {
    return { code: 'USAGE', message: err.message, text: err.message, exitCode: ExitCode.usage };
  }
  if (err instanceof QuerylaneRunError) {
    const runId = err.runId || undefined;
    if (err.code === 'CANCELLED') {
      return {
        code: err.code,
        message: err.message,
        runId,
        text: `cancelled${runId ? ` (run ${runId})` : ''}`,
        exitCode: ctx.interrupted ? ExitCode.interrupted : ExitCode.failed,
      };
    }
    const lines = [`${err.code}: ${err.message}`];
    if (err.hint) lines.push(`  hint: ${err.hint}`);
    lines.push(`  run ${err.runId}`);
    return {
      code: err.code,
      message: err.message,
      hint: err.hint,
      runId,
      text: lines.join('\n'),
      exitCode: ExitCode.failed,
    };
  }
  const network = networkProblem(err);
  if (network) {
    const message = `cannot reach the Querylane server at ${ctx.url} (${network}).`;
    const hint = 'Is it running? Start it with `npm start`, or point --url / QUERYLANE_URL at it.';
    return {
      code: 'UNREACHABLE',
      message,
      hint,
      text: `${message}\n  ${hint}`,
      exitCode: ExitCode.unreachable,
    };
  }
  const trpc = trpcProblem(err);
  if (trpc) {
    return {
      code: trpc.code,
      message: trpc.message,
      text: `${trpc.code}: ${trpc.message}`,
      exitCode: ExitCode.failed,
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  const stack = ctx.debug && err instanceof Error && err.stack ? `\n${err.stack}` : '';
  return {
    code: 'UNEXPECTED',
    message,
    text: `unexpected error: ${message}${stack}`,
    exitCode: ExitCode.failed,
  };
}
