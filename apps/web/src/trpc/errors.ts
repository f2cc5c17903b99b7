// Reads a tRPC client error for people: a BAD_REQUEST carries flattened zod issues in
// `data.zodError`, which say more than the generic message does.

interface FlattenedIssues {
  formErrors?: string[];
  fieldErrors?: Record<string, string[] | undefined>;
}

export function describeError(error: { message: string; data?: unknown }): string {
  const zodError = (error.data as { zodError?: FlattenedIssues | null } | null | undefined)
    ?.zodError;
  if (!zodError) return error.message;
  const lines = [
    ...(zodError.formErrors ?? []),
    ...Object.entries(zodError.fieldErrors ?? {}).flatMap(([field, messages]) =>
      (messages ?? []).map((m) => `${field}: ${m}`),
    ),
  ];
  return lines.length > 0 ? lines.join('; ') : error.message;
}

/**
 * True when a request never got an answer from the server (connection refused, network down):
 * tRPC then has no error `data`, only the fetch failure. The request was not taken.
 */
export function isUnreachable(error: {
  message: string;
  data?: unknown;
  cause?: unknown;
}): boolean {
  if (error.data !== undefined && error.data !== null) return false;
  return (
    error.cause instanceof TypeError ||
    /failed to fetch|fetch failed|networkerror|load failed|network request failed/i.test(
      error.message,
    )
  );
}
