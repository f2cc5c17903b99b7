// What a call must pass beyond sign-in (per-user rates of runs.start and of every other writing
// mutation), what it leaves on the audit record, and the bookkeeping of open subscriptions per
// connection.
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

/**
 * The token bucket of every other mutation that writes (creates a conversation, renames, deletes,
 * cancels, broadcasts), per user: one client cannot turn a batch of calls into thousands of rows.
 */
export const limitWrites = createMiddleware(({ ctx, next, path }) => {
  if (ctx.userId) {
    const take = ctx.services.writes.take(ctx.userId);
    if (!take.ok) {
      ctx.services.audit.refused('writes_per_minute', ctx, {
        target: path,
        detail: { retryAfterMs: take.retryAfterMs, perMinute: ctx.services.writes.perMinute },
      });
      throw new RateLimitedError('Too many changes', take.retryAfterMs);
    }
  }
  return next();
});

/** The token bucket of `comments.add`, per user; refusals are audited and say when to retry. */
export const limitCommentPosts = createMiddleware(({ ctx, next, path }) => {
  if (ctx.userId) {
    const take = ctx.services.commentPosts.take(ctx.userId);
    if (!take.ok) {
      ctx.services.audit.refused('comments_per_minute', ctx, {
        target: path,
        detail: { retryAfterMs: take.retryAfterMs, perMinute: ctx.services.commentPosts.perMinute },
      });
      throw new RateLimitedError('Too many comments', take.retryAfterMs);
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

/**
 * Takes one of the connection's subscription slots for `stream` now (past the limit the call is
 * refused), and gives it back when the stream ends, or when whoever got it returns its iterator
 * without reading (the WebSocket handler does so with a stream it throws away: an id already in
 * use, a socket closed meanwhile). One that is never even asked for an iterator by the next turn
 * of the event loop is given back too.
 */
export function countedOnConnection<T>(
  ctx: Pick<Context, 'services' | 'userId' | 'connection'>,
  stream: AsyncIterable<T>,
): AsyncIterable<T> {
  assertSubscriptionSlot(ctx);
  const { connection } = ctx;
  if (!connection) return stream;
  const slot = connection;
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    slot.subscriptions -= 1;
  };
  slot.subscriptions += 1;
  const unclaimed = setImmediate(release);
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      clearImmediate(unclaimed);
      if (!held) {
        held = true;
        slot.subscriptions += 1;
      }
      const inner = (async function* counted() {
        try {
          yield* stream;
        } finally {
          release();
        }
      })();
      return {
        next: () => inner.next(),
        // A generator never started runs no `finally`: the slot goes back here as well.
        return: (value?: unknown) => {
          release();
          return inner.return(value as undefined);
        },
      };
    },
  };
}
