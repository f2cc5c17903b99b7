// Conversations: the history a person comes back to.
import { randomUUID } from 'node:crypto';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { NotFoundError } from '../errors.ts';
import { auditAction } from '../guards.ts';
import { protectedProcedure } from '../trpc.ts';
import { Id, PageLimit, Title } from './schemas.ts';

export const conversationsRouter = {
  list: protectedProcedure
    .input(z.object({ limit: PageLimit.default(100) }).default({ limit: 100 }))
    .query(({ ctx, input }) => ctx.services.repos.conversations.list(ctx.userId, input.limit)),

  byId: protectedProcedure.input(z.object({ conversationId: Id })).query(({ ctx, input }) => {
    const { repos } = ctx.services;
    const conversation = repos.conversations.byId(ctx.userId, input.conversationId);
    if (!conversation) throw new NotFoundError('Conversation', input.conversationId);
    const messages = repos.messages.listByConversation(conversation.id).map((m) => ({
      id: m.id,
      role: m.role,
      content: m.content,
      runId: m.runId,
      createdAt: m.createdAt,
    }));
    return { ...conversation, messages };
  }),

  create: protectedProcedure
    .input(z.object({ title: Title.optional() }).default({}))
    .mutation(({ ctx, input }) =>
      ctx.services.repos.conversations.create({
        id: randomUUID(),
        userId: ctx.userId,
        title: input.title ?? 'New conversation',
      }),
    ),

  rename: protectedProcedure
    .input(z.object({ conversationId: Id, title: Title }))
    .mutation(({ ctx, input }) => {
      const row = ctx.services.repos.conversations.rename(
        ctx.userId,
        input.conversationId,
        input.title,
      );
      if (!row) throw new NotFoundError('Conversation', input.conversationId);
      return row;
    }),

  delete: protectedProcedure
    .input(z.object({ conversationId: Id }))
    .mutation(async ({ ctx, input }) => {
      const { repos, runs } = ctx.services;
      if (!repos.conversations.byId(ctx.userId, input.conversationId)) {
        throw new NotFoundError('Conversation', input.conversationId);
      }
      await runs.endConversationRuns(input.conversationId);
      repos.conversations.delete(ctx.userId, input.conversationId);
      auditAction(ctx, 'conversation_deleted', input.conversationId);
      return { conversationId: input.conversationId, deleted: true as const };
    }),
} satisfies TRPCRouterRecord;
