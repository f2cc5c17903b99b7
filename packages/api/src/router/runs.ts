// Runs: start one, stream its events, cancel it, read it back, keep the chart chosen for it.
import { ChartSpec } from '@querylane/contracts';
import { Encoded } from '@querylane/contracts/transformer';
import type { RunRecord } from '@querylane/runs';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { assertSubscriptionSlot, auditAction, limitRunStarts, limitWrites } from '../guards.ts';
import { RunEventStream } from '../services/run-events.ts';
import { protectedProcedure } from '../trpc.ts';
import { DatasetId, Id, PageLimit, QueryText, QuestionText } from './schemas.ts';

const Cursor = z
  .string()
  .max(200)
  .regex(/^\d{1,15}:[A-Za-z0-9_-]{1,64}$/, 'Not a cursor from runs.list');

/** A run as clients see it, without its result (listings never load one). */
function toRunSummary(run: RunRecord) {
  return {
    id: run.id,
    /** Who started it: in a shared room, not always the caller. */
    userId: run.userId,
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

const StartFields = z.object({
  query: QueryText.optional(),
  question: QuestionText.optional(),
  datasetId: DatasetId.default('shop'),
  conversationId: Id.optional(),
  /**
   * A random UUID the client chose: starting again with it (a lost reply, a cut socket) finds
   * the run it started rather than starting another.
   */
  runId: z.uuid().optional(),
});

/** Exactly one of `query` and `question`. */
const exactlyOne = <S extends z.ZodType<z.infer<typeof StartFields>>>(schema: S): S =>
  schema.refine((i) => (i.query === undefined) !== (i.question === undefined), {
    message: 'Give either `query` (SQL) or `question` (plain words), exactly one of them',
    path: ['question'],
  });

const LastEventId = z
  .string()
  .regex(/^\d{1,10}$/, 'lastEventId is the seq of an event')
  .nullish();

function startInput({ query, question, ...rest }: z.infer<typeof StartFields>) {
  return question === undefined
    ? { kind: 'sql' as const, query: query as string, ...rest }
    : { kind: 'question' as const, query: question, ...rest };
}

export const runsRouter = {
  /** Starts a run: `query` is SQL as written, `question` plain words; exactly one of them. */
  start: protectedProcedure
    .input(exactlyOne(StartFields))
    .use(limitRunStarts)
    .mutation(async ({ ctx, input }) => {
      const { runId, conversationId } = await ctx.services.runs.start(
        ctx.userId,
        startInput(input),
      );
      return { runId, conversationId };
    }),

  /**
   * Starts a run and streams its events in one call (one round trip to the first event): the
   * client names the run (`runId`, a random UUID), so a resubscription after a cut socket
   * resumes it from `lastEventId` and never starts it twice. `client.run()` and `ask()` go here.
   */
  run: protectedProcedure
    .input(exactlyOne(StartFields.extend({ runId: z.uuid(), lastEventId: LastEventId })))
    .use(limitRunStarts)
    .subscription(async ({ ctx, input, signal }) => {
      const { lastEventId, ...fields } = input;
      // Nothing is started for a socket that could not follow it.
      assertSubscriptionSlot(ctx);
      // A resumption follows the run it started (gone, it is NOT_FOUND, never started again).
      if (lastEventId) {
        await ctx.services.runs.visible(ctx.userId, input.runId);
        return new RunEventStream(ctx, input.runId, Number(lastEventId), signal);
      }
      // Put in line just after this reply, whose first event (what the start committed) goes
      // out at once rather than read back from the store.
      const { stored } = await ctx.services.runs.start(ctx.userId, startInput(fields), {
        lineUpAfterReply: true,
      });
      return new RunEventStream(ctx, input.runId, 0, signal, stored);
    }),

  events: protectedProcedure
    .input(
      z.object({
        runId: Id,
        lastEventId: LastEventId,
      }),
    )
    .subscription(async ({ ctx, input, signal }) => {
      // Checked before the stream starts, so an unknown run fails the subscribe call itself.
      // Its owner follows it, and so does everyone in its conversation's room.
      await ctx.services.runs.visible(ctx.userId, input.runId);
      assertSubscriptionSlot(ctx);
      const after = input.lastEventId ? Number(input.lastEventId) : 0;
      // Pushed to a socket (each event serialised once for every subscriber), pulled as
      // `tracked` items by anyone else; resumable from any seq either way.
      return new RunEventStream(ctx, input.runId, after, signal);
    }),

  cancel: protectedProcedure
    .input(z.object({ runId: Id }))
    .use(limitWrites)
    .mutation(async ({ ctx, input }) => {
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
    // Over the wire the stored result goes out as stored (a 4 MB blob took seconds to decode
    // and encode again per reader); in-process callers get it decoded.
    if (ctx.connection) {
      const run = await ctx.services.runs.viewStored(ctx.userId, input.runId);
      const { result } = run;
      return {
        ...toRunSummary(run),
        result: result instanceof Encoded ? result.asValue() : result,
      };
    }
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
