// Turns whatever ended a command into one short message and an exit code. People see codes and
// hints, never a stack trace (unless QUERYLANE_DEBUG is set).
import { QuerylaneRunError } from '@querylane/client';

export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  unreachable: 3,
  interrupted: 130,
} as const;

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

export interface Explained {
  message: string;
  exitCode: number;
}

export function explain(
  err: unknown,
  ctx: { url: string; interrupted: boolean; debug: boolean },
): Explained {
  if (err instanceof QuerylaneRunError) {
    if (err.code === 'CANCELLED') {
      return {
        message: `cancelled${err.runId ? ` (run ${err.runId})` : ''}`,
        exitCode: ctx.interrupted ? ExitCode.interrupted : ExitCode.failed,
      };
    }
    const lines = [`${err.code}: ${err.message}`];
    if (err.hint) lines.push(`  hint: ${err.hint}`);
    lines.push(`  run ${err.runId}`);
    return { message: lines.join('\n'), exitCode: ExitCode.failed };
  }
  const network = networkProblem(err);
  if (network) {
    return {
      message:
        `cannot reach the Querylane server at ${ctx.url} (${network}).\n` +
        '  Is it running? Start it with `npm start`, or point --url / QUERYLANE_URL at it.',
      exitCode: ExitCode.unreachable,
    };
  }
  const trpc = trpcProblem(err);
  if (trpc) return { message: `${trpc.code}: ${trpc.message}`, exitCode: ExitCode.failed };
  const text = err instanceof Error ? err.message : String(err);
  const stack = ctx.debug && err instanceof Error && err.stack ? `\n${err.stack}` : '';
  return { message: `unexpected error: ${text}${stack}`, exitCode: ExitCode.failed };
}
