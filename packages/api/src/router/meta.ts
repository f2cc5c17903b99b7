// About the service itself, public so a client can read it before it signs in.
import type { TRPCRouterRecord } from '@trpc/server';
import { publicProcedure } from '../trpc.ts';

export const metaRouter = {
  /** The same document as GET /.well-known/querylane. */
  config: publicProcedure.query(({ ctx }) => ctx.services.discovery),
} satisfies TRPCRouterRecord;
