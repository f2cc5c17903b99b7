// RoomStore over PostgreSQL: who is in which conversation's room, and as what. Adding a member
// takes the conversation's row lock, then counts and inserts, so the limit holds however many
// invites arrive at once on however many nodes.
import type { RoomStore } from '@querylane/runs';
import { and, asc, count, eq, inArray } from 'drizzle-orm';
import { stamp } from '../shared/stamp.ts';
import type { PgDb } from './client.ts';
import { conversationColumns } from './conversation-store.ts';
import { conversations, roomMembers } from './schema.ts';

/** A member as the port has it (their pin is theirs alone, read through ConversationStore). */
const memberColumns = {
  conversationId: roomMembers.conversationId,
  userId: roomMembers.userId,
  role: roomMembers.role,
  addedBy: roomMembers.addedBy,
  addedAt: roomMembers.addedAt,
};

export function createRoomStore(db: PgDb): RoomStore {
  const member = (conversationId: string, userId: string) =>
    and(eq(roomMembers.conversationId, conversationId), eq(roomMembers.userId, userId));

  return {
    async access(userId, conversationId) {
      const [row] = await db
        .select({ conversation: conversationColumns, memberRole: roomMembers.role })
        .from(conversations)
        .leftJoin(
          roomMembers,
          and(eq(roomMembers.conversationId, conversations.id), eq(roomMembers.userId, userId)),
        )
        .where(eq(conversations.id, conversationId));
      if (!row) return undefined;
      const role = row.conversation.userId === userId ? 'owner' : (row.memberRole ?? null);
      return { conversation: row.conversation, role };
    },

    async members(conversationId) {
      return db
        .select(memberColumns)
        .from(roomMembers)
        .where(eq(roomMembers.conversationId, conversationId))
        .orderBy(asc(roomMembers.addedAt), asc(roomMembers.userId));
    },

    async addMember(input, maxMembers) {
      return db.transaction(async (tx) => {
        // The lock: concurrent invites into one room count one after another.
        const [convo] = await tx
          .select({ id: conversations.id })
          .from(conversations)
          .where(eq(conversations.id, input.conversationId))
          .for('no key update');
        if (!convo) return { refused: 'gone' as const };
        const [there] = await tx
          .select({ userId: roomMembers.userId })
          .from(roomMembers)
          .where(member(input.conversationId, input.userId));
        if (there) return { refused: 'exists' as const };
        const [held] = await tx
          .select({ n: count() })
          .from(roomMembers)
          .where(eq(roomMembers.conversationId, input.conversationId));
        if ((held?.n ?? 0) >= maxMembers) return { refused: 'full' as const };
        const [added] = await tx
          .insert(roomMembers)
          .values({ ...input, addedAt: stamp() })
          .returning(memberColumns);
        if (!added) throw new Error(`member ${input.userId} was not written`);
        return { added };
      });
    },

    async setRole(conversationId, userId, role) {
      const [row] = await db
        .update(roomMembers)
        .set({ role })
        .where(member(conversationId, userId))
        .returning(memberColumns);
      return row;
    },

    async removeMember(conversationId, userId) {
      const gone = await db
        .delete(roomMembers)
        .where(member(conversationId, userId))
        .returning({ userId: roomMembers.userId });
      return gone.length > 0;
    },

    async removeAll(conversationId) {
      const gone = await db
        .delete(roomMembers)
        .where(eq(roomMembers.conversationId, conversationId))
        .returning(memberColumns);
      return gone
        .sort((a, b) => a.addedAt.getTime() - b.addedAt.getTime() || (a.userId < b.userId ? -1 : 1))
        .map((m) => m.userId);
    },

    async memberCounts(conversationIds) {
      if (conversationIds.length === 0) return new Map();
      const rows = await db
        .select({ id: roomMembers.conversationId, n: count() })
        .from(roomMembers)
        .where(inArray(roomMembers.conversationId, [...conversationIds]))
        .groupBy(roomMembers.conversationId);
      return new Map(rows.map((r) => [r.id, Number(r.n)]));
    },
  };
}
