// tRPC is initialised once here: context, transformer, error shape and the base procedures.

import { transformer } from '@querylane/contracts/transformer';
import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError, z } from 'zod';
import type { Context } from './context.ts';
import { RateLimitedError, refusalOf, toTRPCError } from './errors.ts';

const t = initTRPC.context<Context>().create({
  transformer,
  errorFormatter({ shape, error }) {
    // Stack traces stay on the server, whatever NODE_ENV says.
    const { stack: _stack, ...data } = shape.data;
    // A frame that trips over tRPC's own parsing (no payload, nesting too deep) surfaces a
    // JavaScript error message; the sender gets one that says what was wrong instead.
    const internal = error.cause instanceof TypeError || error.cause instanceof RangeError;
    return {
      ...shape,
      message:
        error.code === 'PARSE_ERROR' && internal
          ? 'Malformed message: expected JSON text {"id", "method", "params": {"path", "input"}}.'
          : shape.message,
      data: {
        ...data,
        zodError:
          error.code === 'BAD_REQUEST' && error.cause instanceof ZodError
            ? z.flattenError(error.cause)
            : null,
        // Clients wait this long before trying again; the message says it in words.
        retryAfterMs: error.cause instanceof RateLimitedError ? error.cause.retryAfterMs : null,
      },
    };
  },
});

export const createTRPCRouter = t.router;
export const createMiddleware = t.middleware;
export const createCallerFactory = t.createCallerFactory;

/**
 * Domain errors thrown by services become TRPCErrors with the right code here, and those that
 * refuse someone (an outsider, a role, a full room, a rate) leave their audit entry.
 */
const domainErrors = t.middleware(async ({ ctx, next, path }) => {
  const res = await next();
  if (!res.ok) {
    const cause = res.error.cause;
    const refusal = refusalOf(cause);
    if (refusal) {
      ctx.services.audit.refused(refusal.reason, ctx, { target: path, detail: refusal.detail });
    }
    const mapped = toTRPCError(cause);
    if (mapped && mapped !== res.error) throw mapped;
  }
  return res;
});

export const publicProcedure = t.procedure.use(domainErrors);

const unauthorizedMessages = {
  missing: 'Sign in first: send a token.',
  invalid: 'The token was not accepted.',
  expired: 'The token has expired: sign in again.',
  unavailable:
    'The token could not be checked just now (the key server did not answer): try again shortly.',
} as const;

export const protectedProcedure = publicProcedure.use(({ ctx, next, path }) => {
  if (!ctx.userId) {
    const why = ctx.authFailure ?? 'missing';
    ctx.services.audit.refusedOnce(ctx.connection, 'unauthorized', ctx, {
      target: path,
      detail: { why },
    });
    throw new TRPCError({ code: 'UNAUTHORIZED', message: unauthorizedMessages[why] });
  }
  return next({ ctx: { ...ctx, userId: ctx.userId, role: ctx.role ?? 'user' } });
});

/** Admins only; anyone else signed in gets FORBIDDEN, and the attempt is audited. */
export const adminProcedure = protectedProcedure.use(({ ctx, next, path }) => {
  if (ctx.role !== 'admin') {
    ctx.services.audit.refused('forbidden', ctx, { target: path });
    throw new TRPCError({ code: 'FORBIDDEN', message: 'Only admins may do this.' });
  }
  return next();
});
