// Comments: short markdown notes on a room's thread or on one of its runs, in the order they were
// written. Anyone in the room writes them; only their author changes or deletes them.
import { CommentBody } from '@querylane/contracts';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { auditAction, limitCommentPosts } from '../guards.ts';
import { protectedProcedure } from '../trpc.ts';
import { Id } from './schemas.ts';

export const commentsRouter = {
  /** The newest `limit` in the order written; `before` (a comment id) pages back. */
  list: protectedProcedure
    .input(
      z.object({
        conversationId: Id,
        limit: z.number().int().min(1).max(500).default(200),
        before: Id.optional(),
      }),
    )
    .query(({ ctx, input }) =>
      ctx.services.comments.list(ctx.userId, input.conversationId, {
        limit: input.limit,
        beforeId: input.before,
      }),
    ),

  add: protectedProcedure
    .input(z.object({ conversationId: Id, runId: Id.optional(), body: CommentBody }))
    .use(limitCommentPosts)
    .mutation(({ ctx, input }) => ctx.services.comments.add(ctx.userId, input)),

  edit: protectedProcedure
    .input(z.object({ commentId: Id, body: CommentBody }))
    .mutation(({ ctx, input }) =>
      ctx.services.comments.edit(ctx.userId, input.commentId, input.body),
    ),

  delete: protectedProcedure.input(z.object({ commentId: Id })).mutation(async ({ ctx, input }) => {
    const { conversationId } = await ctx.services.comments.delete(ctx.userId, input.commentId);
    await auditAction(ctx, 'comment_deleted', input.commentId, { conversationId });
    return { commentId: input.commentId, deleted: true as const };
  }),
} satisfies TRPCRouterRecord;
