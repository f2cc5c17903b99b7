// Runs: start one, stream its events, cancel it, read it back.

import type { Result, RunError, RunEvent } from '@querylane/contracts';
import { transformer } from '@querylane/contracts/transformer';
import type { RunRow } from '@querylane/db';
import { type TRPCRouterRecord, tracked } from '@trpc/server';
import { z } from 'zod';
import { NotFoundError } from '../errors.ts';
import { auditAction, countedOnConnection, limitRunStarts } from '../guards.ts';
import { paced } from '../services/pacing.ts';
import { protectedProcedure } from '../trpc.ts';
import { DatasetId, Id, PageLimit, QueryText } from './schemas.ts';

const Cursor = z
  .string()
  .max(200)
  .regex(/^\d{1,15}:[A-Za-z0-9_-]{1,64}$/, 'Not a cursor from runs.list');

export function toRunView(run: RunRow) {
  return {
    id: run.id,
    conversationId: run.conversationId,
    datasetId: run.datasetId,
    query: run.query,
    status: run.status,
    stage: run.stage,
    progress: run.progress,
    lastSeq: run.lastSeq,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    result: run.result === null ? null : transformer.parse<Result>(run.result),
    error: run.error === null ? null : transformer.parse<RunError>(run.error),
  };
}

function toRunSummary(run: RunRow) {
  const { result: _result, ...rest } = toRunView(run);
  return rest;
}

async function* trackEvents(events: AsyncIterable<RunEvent>) {
  for await (const event of events) yield tracked(String(event.seq), event);
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
    .mutation(({ ctx, input }) => ctx.services.runs.start(ctx.userId, input)),

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
    .subscription(({ ctx, input, signal }) => {
      // Checked before the stream starts, so an unknown run fails the subscribe call itself.
      ctx.services.runs.getOwned(ctx.userId, input.runId);
      const { connection, services } = ctx;
      const after = input.lastEventId ? Number(input.lastEventId) : 0;
      const events = services.runs.stream(input.runId, after, signal);
      return countedOnConnection(
        ctx,
        trackEvents(
          connection?.socket
            ? paced(events, connection.socket, services.streamLimits, services.streamStats)
            : events,
        ),
      );
    }),

  cancel: protectedProcedure.input(z.object({ runId: Id })).mutation(async ({ ctx, input }) => {
    const res = await ctx.services.runs.cancel(ctx.userId, input.runId);
    auditAction(ctx, 'run_cancelled', input.runId);
    return res;
  }),

  byId: protectedProcedure
    .input(z.object({ runId: Id }))
    .query(({ ctx, input }) => toRunView(ctx.services.runs.getOwned(ctx.userId, input.runId))),

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
    .query(({ ctx, input }) => {
      // Another user's conversation is not there, rather than merely empty.
      if (
        input.conversationId &&
        !ctx.services.repos.conversations.byId(ctx.userId, input.conversationId)
      ) {
        throw new NotFoundError('Conversation', input.conversationId);
      }
      const [createdAt, id] = input.cursor ? input.cursor.split(':') : [];
      const rows = ctx.services.repos.runs.list({
        userId: ctx.userId,
        ...(input.conversationId ? { conversationId: input.conversationId } : {}),
        limit: input.limit + 1,
        ...(createdAt && id ? { cursor: { createdAt: Number(createdAt), id } } : {}),
      });
      const page = rows.slice(0, input.limit);
      const lastRow = page.at(-1);
      return {
        items: page.map(toRunSummary),
        nextCursor:
          rows.length > input.limit && lastRow
            ? `${lastRow.createdAt.getTime()}:${lastRow.id}`
            : null,
      };
    }),
} satisfies TRPCRouterRecord;
