// What a call must pass beyond sign-in (the per-user rate of runs.start), what it leaves on the
// audit record, and the bookkeeping of open subscriptions per connection.
import type { AuditKind } from '@querylane/contracts';
import { TRPCError } from '@trpc/server';
import type { Context } from './context.ts';
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
): Promise<number | null> {
  return ctx.services.audit.record({
    kind,
    userId: ctx.userId,
    ip: ctx.connection?.ip ?? null,
    target,
    detail: detail ?? null,
  });
}

/**
 * Refuses a subscription past `maxSubscriptionsPerSocket`, checked when the subscription is
 * asked for (so a batch of thousands in one frame cannot all pass before any is counted); the
 * caller then takes the slot at once and gives it back when its stream ends.
 */
export function assertSubscriptionSlot(
  ctx: Pick<Context, 'services' | 'userId' | 'connection'>,
): void {
  const { connection } = ctx;
  const max = ctx.services.streamLimits.maxSubscriptionsPerSocket;
  if (connection && connection.subscriptions >= max) {
    ctx.services.audit.refused('subscriptions_per_socket', ctx, { detail: { max } });
    throw new TRPCError({
      code: 'TOO_MANY_REQUESTS',
      message: `At most ${max} subscriptions per connection; stop one before starting another.`,
    });
  }
}

/** Takes one of the connection's subscription slots for `stream`, given back when it ends. */
export function countedOnConnection<T>(
  ctx: Pick<Context, 'services' | 'userId' | 'connection'>,
  stream: AsyncIterable<T>,
): AsyncGenerator<T> {
  assertSubscriptionSlot(ctx);
  const { connection } = ctx;
  if (connection) connection.subscriptions += 1;
  return (async function* counted() {
    try {
      yield* stream;
    } finally {
      if (connection) connection.subscriptions -= 1;
    }
  })();
}
