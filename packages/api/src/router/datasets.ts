// Datasets: what can be queried, and the shape of each.
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.ts';
import { DatasetId } from './schemas.ts';

export const datasetsRouter = {
  list: protectedProcedure.query(({ ctx }) => ctx.services.datasets.list()),
  schema: protectedProcedure
    .input(z.object({ datasetId: DatasetId }))
    .query(({ ctx, input }) => ctx.services.datasets.schema(input.datasetId)),
} satisfies TRPCRouterRecord;
