// Conversations: the history a person comes back to, their own and those shared with them.
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { auditAction, limitWrites } from '../guards.ts';
import { protectedProcedure } from '../trpc.ts';
import { Id, PageLimit, Title } from './schemas.ts';

/** `<pinnedAt or ->:<updatedAt>:<id>`, as `conversations.list` hands it out. */
const Cursor = z
  .string()
  .max(200)
  .regex(/^(\d{1,15}|-):\d{1,15}:[A-Za-z0-9_-]{1,64}$/, 'Not a cursor from conversations.list');

function parseCursor(cursor: string) {
  const [pinnedAt = '-', at = '0', id = ''] = cursor.split(':');
  return { pinnedAt: pinnedAt === '-' ? null : Number(pinnedAt), at: Number(at), id };
}

/**
 * A conversation as its list shows it to the caller: `role` is `owner` or the role they were
 * given in someone else's room, `members` how many it is shared with, `pinned` their own pin.
 */
const toSummary = <T extends { userId: string; pinnedAt: Date | null }>(c: T) => ({
  ...c,
  ownerId: c.userId,
  pinned: c.pinnedAt !== null,
});

export const conversationsRouter = {
  /** Pinned first, then most recently updated; paged by cursor; `search` looks in titles and messages. */
  list: protectedProcedure
    .input(
      z
        .object({
          limit: PageLimit.default(50),
          cursor: Cursor.nullish(),
          search: z.string().trim().max(200, 'Searches are at most 200 characters').optional(),
        })
        .default({ limit: 50 }),
    )
    .query(async ({ ctx, input }) => {
      const page = await ctx.services.conversations.page({
        userId: ctx.userId,
        limit: input.limit,
        cursor: input.cursor ? parseCursor(input.cursor) : undefined,
        search: input.search || undefined,
      });
      return {
        items: page.items.map(toSummary),
        nextCursor: page.next
          ? `${page.next.pinnedAt ?? '-'}:${page.next.at}:${page.next.id}`
          : null,
      };
    }),

  pin: protectedProcedure
    .input(z.object({ conversationId: Id }))
    .mutation(async ({ ctx, input }) =>
      toSummary(await ctx.services.conversations.setPinned(ctx.userId, input.conversationId, true)),
    ),

  unpin: protectedProcedure
    .input(z.object({ conversationId: Id }))
    .mutation(async ({ ctx, input }) =>
      toSummary(
        await ctx.services.conversations.setPinned(ctx.userId, input.conversationId, false),
      ),
    ),

  byId: protectedProcedure.input(z.object({ conversationId: Id })).query(async ({ ctx, input }) => {
    const { role, messages, ...conversation } = await ctx.services.conversations.get(
      ctx.userId,
      input.conversationId,
    );
    return {
      ...conversation,
      ownerId: conversation.userId,
      /** The caller's place in its room. */
      access: role,
      messages: messages.map((m) => ({
        id: m.id,
        /** Who asked (in a shared room, not always the caller). */
        userId: m.userId,
        role: m.role,
        content: m.content,
        runId: m.runId,
        createdAt: m.createdAt,
      })),
    };
  }),

  create: protectedProcedure
    .input(z.object({ title: Title.optional() }).default({}))
    .use(limitWrites)
    .mutation(({ ctx, input }) =>
      ctx.services.conversations.create(ctx.userId, input.title ?? 'New conversation'),
    ),

  rename: protectedProcedure
    .input(z.object({ conversationId: Id, title: Title }))
    .use(limitWrites)
    .mutation(({ ctx, input }) =>
      ctx.services.conversations.rename(ctx.userId, input.conversationId, input.title),
    ),

  delete: protectedProcedure
    .input(z.object({ conversationId: Id }))
    .use(limitWrites)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.conversations.delete(ctx.userId, input.conversationId);
      await auditAction(ctx, 'conversation_deleted', input.conversationId);
      return { conversationId: input.conversationId, deleted: true as const };
    }),
} satisfies TRPCRouterRecord;
