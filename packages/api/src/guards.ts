// What a call must pass beyond sign-in (the per-user rate of runs.start), what it leaves on the
// audit record, and the bookkeeping of open subscriptions per connection.
import type { AuditKind } from '@querylane/db';
import type { Connection, Context } from './context.ts';
import { RateLimitedError } from './errors.ts';
import { createMiddleware } from './trpc.ts';

/** The token bucket of `runs.start`, per user; refusals are audited and say when to retry. */
export const limitRunStarts = createMiddleware(({ ctx, next, path }) => {
  if (ctx.userId) {
    const take = ctx.services.runStarts.take(ctx.userId);
    if (!take.ok) {
      ctx.services.audit.refused('runs_per_minute', ctx, {
        target: path,
        detail: { retryAfterMs: take.retryAfterMs, perMinute: ctx.services.runStarts.perMinute },
      });
      throw new RateLimitedError('Too many runs started', take.retryAfterMs);
    }
  }
  return next();
});

/** Records an action that changed or ended something, once it has succeeded. */
export function auditAction(
  ctx: Pick<Context, 'services' | 'userId' | 'connection'>,
  kind: AuditKind,
  target: string,
  detail?: Record<string, string | number | boolean | null>,
): number | null {
  return ctx.services.audit.record({
    kind,
    userId: ctx.userId,
    ip: ctx.connection?.ip ?? null,
    target,
    detail: detail ?? null,
  });
}

/** Counts a subscription on its connection for as long as the stream is open. */
export async function* countedOnConnection<T>(
  connection: Connection | null,
  stream: AsyncIterable<T>,
): AsyncGenerator<T> {
  if (connection) connection.subscriptions += 1;
  try {
    yield* stream;
  } finally {
    if (connection) connection.subscriptions -= 1;
  }
}
