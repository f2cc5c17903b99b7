// Runs: start one, stream its events, cancel it, read it back, keep the chart chosen for it.
import { ChartSpec } from '@querylane/contracts';
import type { RunRecord } from '@querylane/runs';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { assertSubscriptionSlot, auditAction, limitRunStarts } from '../guards.ts';
import { RunEventStream } from '../services/run-events.ts';
import { protectedProcedure } from '../trpc.ts';
import { DatasetId, Id, PageLimit, QueryText } from './schemas.ts';

const Cursor = z
  .string()
  .max(200)
  .regex(/^\d{1,15}:[A-Za-z0-9_-]{1,64}$/, 'Not a cursor from runs.list');

/** A run as clients see it, without its result (listings never load one). */
function toRunSummary(run: RunRecord) {
  return {
    id: run.id,
    conversationId: run.conversationId,
    datasetId: run.datasetId,
    kind: run.kind,
    query: run.query,
    status: run.status,
    stage: run.stage,
    progress: run.progress,
    lastSeq: run.lastSeq,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    error: run.error,
    chart: run.chart,
  };
}

export const runsRouter = {
  start: protectedProcedure
    .input(
      z.object({
        query: QueryText,
        datasetId: DatasetId.default('shop'),
        conversationId: Id.optional(),
      }),
    )
    .use(limitRunStarts)
    .mutation(({ ctx, input }) => ctx.services.runs.start(ctx.userId, { kind: 'sql', ...input })),

  events: protectedProcedure
    .input(
      z.object({
        runId: Id,
        lastEventId: z
          .string()
          .regex(/^\d{1,10}$/, 'lastEventId is the seq of an event')
          .nullish(),
      }),
    )
    .subscription(async ({ ctx, input, signal }) => {
      // Checked before the stream starts, so an unknown run fails the subscribe call itself.
      await ctx.services.runs.getOwned(ctx.userId, input.runId);
      assertSubscriptionSlot(ctx);
      const after = input.lastEventId ? Number(input.lastEventId) : 0;
      return new RunEventStream(ctx, input.runId, after, signal);
    }),

  cancel: protectedProcedure.input(z.object({ runId: Id })).mutation(async ({ ctx, input }) => {
    const res = await ctx.services.runs.cancel(ctx.userId, input.runId);
    await auditAction(ctx, 'run_cancelled', input.runId);
    return res;
  }),

  /** Stores the chart its owner chose for the result; null goes back to the suggested one. */
  setChart: protectedProcedure
    .input(z.object({ runId: Id, chart: ChartSpec.nullable() }))
    .mutation(async ({ ctx, input }) => {
      const run = await ctx.services.runs.setChart(ctx.userId, input.runId, input.chart);
      return { runId: run.id, chart: run.chart };
    }),

  byId: protectedProcedure.input(z.object({ runId: Id })).query(async ({ ctx, input }) => {
    const run = await ctx.services.runs.view(ctx.userId, input.runId);
    return { ...toRunSummary(run), result: run.result };
  }),

  list: protectedProcedure
    .input(
      z
        .object({
          conversationId: Id.optional(),
          limit: PageLimit.default(20),
          cursor: Cursor.nullish(),
        })
        .default({ limit: 20 }),
    )
    .query(async ({ ctx, input }) => {
      const [at, id] = input.cursor ? input.cursor.split(':') : [];
      const page = await ctx.services.runs.page({
        userId: ctx.userId,
        conversationId: input.conversationId,
        limit: input.limit,
        cursor: at && id ? { at: Number(at), id } : undefined,
      });
      return {
        items: page.items.map(toRunSummary),
        nextCursor: page.next ? `${page.next.at}:${page.next.id}` : null,
      };
    }),
} satisfies TRPCRouterRecord;
