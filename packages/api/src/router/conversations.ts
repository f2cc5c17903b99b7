// Conversations: the history a person comes back to.
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { auditAction } from '../guards.ts';
import { protectedProcedure } from '../trpc.ts';
import { Id, PageLimit, Title } from './schemas.ts';

export const conversationsRouter = {
  list: protectedProcedure
    .input(z.object({ limit: PageLimit.default(100) }).default({ limit: 100 }))
    .query(({ ctx, input }) => ctx.services.conversations.list(ctx.userId, input.limit)),

  byId: protectedProcedure.input(z.object({ conversationId: Id })).query(async ({ ctx, input }) => {
    const conversation = await ctx.services.conversations.get(ctx.userId, input.conversationId);
    return {
      ...conversation,
      messages: conversation.messages.map((m) => ({
        id: m.id,
        role: m.role,
        content: m.content,
        runId: m.runId,
        createdAt: m.createdAt,
      })),
    };
  }),

  create: protectedProcedure
    .input(z.object({ title: Title.optional() }).default({}))
    .mutation(({ ctx, input }) =>
      ctx.services.conversations.create(ctx.userId, input.title ?? 'New conversation'),
    ),

  rename: protectedProcedure
    .input(z.object({ conversationId: Id, title: Title }))
    .mutation(({ ctx, input }) =>
      ctx.services.conversations.rename(ctx.userId, input.conversationId, input.title),
    ),

  delete: protectedProcedure
    .input(z.object({ conversationId: Id }))
    .mutation(async ({ ctx, input }) => {
      await ctx.services.conversations.delete(ctx.userId, input.conversationId);
      await auditAction(ctx, 'conversation_deleted', input.conversationId);
      return { conversationId: input.conversationId, deleted: true as const };
    }),
} satisfies TRPCRouterRecord;
