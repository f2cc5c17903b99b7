// tRPC is initialised once here: context, transformer, error shape and the base procedures.
import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError, z } from 'zod';
import type { Context } from './context.ts';
import { toTRPCError } from './errors.ts';
import { transformer } from './transformer.ts';

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
      },
    };
  },
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Domain errors thrown by services become TRPCErrors with the right code here. */
const domainErrors = t.middleware(async ({ next }) => {
  const res = await next();
  if (!res.ok) {
    const mapped = toTRPCError(res.error.cause);
    if (mapped && mapped !== res.error) throw mapped;
  }
  return res;
});

export const publicProcedure = t.procedure.use(domainErrors);

export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.userId) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in first.' });
  return next({ ctx: { ...ctx, userId: ctx.userId } });
});
