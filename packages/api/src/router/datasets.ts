// Datasets: what can be queried, the shape of each, and words to ask about it with.
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.ts';
import { DatasetId } from './schemas.ts';

export const datasetsRouter = {
  list: protectedProcedure.query(({ ctx }) => ctx.services.datasets.list()),
  schema: protectedProcedure
    .input(z.object({ datasetId: DatasetId }))
    .query(({ ctx, input }) => ctx.services.datasets.schema(input.datasetId)),
  /** Measures, dimensions and values of the dataset's semantic model matching what is typed. */
  suggest: protectedProcedure
    .input(
      z.object({
        datasetId: DatasetId,
        prefix: z.string().max(100, 'Suggestions take at most 100 characters'),
        limit: z.number().int().min(1).max(50).default(10),
      }),
    )
    .query(({ ctx, input }) =>
      ctx.services.datasets.suggest(input.datasetId, input.prefix, input.limit),
    ),
} satisfies TRPCRouterRecord;
