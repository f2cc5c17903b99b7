// Rooms: a conversation shared with others. Its owner invites, changes roles, removes and
// unshares; a member leaves; everyone in it opens it, follows it live and says they are typing.
import { MemberRole, UserId } from '@querylane/contracts';
import type { MemberRecord } from '@querylane/runs';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { auditAction, countedOnConnection } from '../guards.ts';
import { protectedProcedure } from '../trpc.ts';
import { afterSeqOf, Id, LastEventId } from './schemas.ts';
import { trackSequenced } from './tracking.ts';

const Room = z.object({ conversationId: Id });
const MemberInput = Room.extend({ userId: UserId });

const toMember = (m: MemberRecord) => ({
  userId: m.userId,
  role: m.role,
  addedBy: m.addedBy,
  addedAt: m.addedAt,
});

export const roomsRouter = {
  /** Everything a member needs to open the room; `lastEventId` is where to follow it from. */
  byId: protectedProcedure.input(Room).query(async ({ ctx, input }) => {
    const view = await ctx.services.rooms.view(ctx.userId, input.conversationId);
    const { conversation } = view;
    return {
      conversationId: conversation.id,
      title: conversation.title,
      ownerId: conversation.userId,
      role: view.role,
      members: view.members.map(toMember),
      comments: view.comments,
      hasOlderComments: view.hasOlderComments,
      presence: view.presence,
      lastEventId: String(view.seq),
    };
  }),

  members: protectedProcedure.input(Room).query(async ({ ctx, input }) => {
    const { ownerId, members } = await ctx.services.rooms.members(ctx.userId, input.conversationId);
    return { ownerId, members: members.map(toMember) };
  }),

  share: protectedProcedure
    .input(MemberInput.extend({ role: MemberRole }))
    .mutation(async ({ ctx, input }) => {
      const member = await ctx.services.rooms.share(
        ctx.userId,
        input.conversationId,
        input.userId,
        input.role,
      );
      await auditAction(ctx, 'member_added', input.conversationId, {
        member: input.userId,
        role: input.role,
      });
      return toMember(member);
    }),

  setRole: protectedProcedure
    .input(MemberInput.extend({ role: MemberRole }))
    .mutation(async ({ ctx, input }) => {
      const member = await ctx.services.rooms.setRole(
        ctx.userId,
        input.conversationId,
        input.userId,
        input.role,
      );
      await auditAction(ctx, 'member_role_changed', input.conversationId, {
        member: input.userId,
        role: input.role,
      });
      return toMember(member);
    }),

  remove: protectedProcedure.input(MemberInput).mutation(async ({ ctx, input }) => {
    await ctx.services.rooms.remove(ctx.userId, input.conversationId, input.userId);
    await auditAction(ctx, 'member_removed', input.conversationId, { member: input.userId });
    return { conversationId: input.conversationId, userId: input.userId, removed: true as const };
  }),

  unshare: protectedProcedure.input(Room).mutation(async ({ ctx, input }) => {
    const removed = await ctx.services.rooms.unshare(ctx.userId, input.conversationId);
    await auditAction(ctx, 'room_unshared', input.conversationId, { members: removed.length });
    return { conversationId: input.conversationId, removed };
  }),

  leave: protectedProcedure.input(Room).mutation(async ({ ctx, input }) => {
    await ctx.services.rooms.leave(ctx.userId, input.conversationId);
    await auditAction(ctx, 'member_left', input.conversationId);
    return { conversationId: input.conversationId, left: true as const };
  }),

  /**
   * `typing: true` while composing, at most every TYPING_INTERVAL_MS (faster is
   * TOO_MANY_REQUESTS); `false` when the person stops. Sending a comment or a run also stops it.
   */
  typing: protectedProcedure
    .input(Room.extend({ typing: z.boolean() }))
    .mutation(async ({ ctx, input }) => {
      await ctx.services.rooms.typing(ctx.userId, input.conversationId, input.typing);
      return { typing: input.typing };
    }),

  /**
   * The room live: its stored events after `lastEventId` (from `byId`, or the last one seen),
   * and who is present and typing whenever that changes. Having it open is being present.
   * Ends with `deleted`, or for a member with their own `member_removed` or an `unshared`.
   */
  events: protectedProcedure
    .input(Room.extend({ lastEventId: LastEventId }))
    .subscription(async ({ ctx, input, signal }) => {
      const { afterSeq, items } = await ctx.services.rooms.events(
        ctx.userId,
        input.conversationId,
        afterSeqOf(input.lastEventId),
        signal,
      );
      return countedOnConnection(ctx, trackSequenced(items, afterSeq));
    }),
} satisfies TRPCRouterRecord;
