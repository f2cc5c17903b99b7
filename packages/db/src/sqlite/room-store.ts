// RoomStore over SQLite: who is in which conversation's room, and as what. Adding a member counts
// and inserts in one transaction, so the limit holds however many invites arrive at once.
import type { RoomStore } from '@querylane/runs';
import { and, asc, count, eq, inArray } from 'drizzle-orm';
import { stamp } from '../shared/stamp.ts';
import type { Db } from './client.ts';
import { conversations, roomMembers } from './schema.ts';

/** A member as the port has it (their pin is theirs alone, read through ConversationStore). */
const memberColumns = {
  conversationId: roomMembers.conversationId,
  userId: roomMembers.userId,
  role: roomMembers.role,
  addedBy: roomMembers.addedBy,
  addedAt: roomMembers.addedAt,
};

export function createRoomStore(db: Db): RoomStore {
  const member = (conversationId: string, userId: string) =>
    and(eq(roomMembers.conversationId, conversationId), eq(roomMembers.userId, userId));

  return {
    async access(userId, conversationId) {
      const row = db
        .select({ conversation: conversations, memberRole: roomMembers.role })
        .from(conversations)
        .leftJoin(
          roomMembers,
          and(eq(roomMembers.conversationId, conversations.id), eq(roomMembers.userId, userId)),
        )
        .where(eq(conversations.id, conversationId))
        .get();
      if (!row) return undefined;
      const role = row.conversation.userId === userId ? 'owner' : (row.memberRole ?? null);
      return { conversation: row.conversation, role };
    },

    async members(conversationId) {
      return db
        .select(memberColumns)
        .from(roomMembers)
        .where(eq(roomMembers.conversationId, conversationId))
        .orderBy(asc(roomMembers.addedAt), asc(roomMembers.userId))
        .all();
    },

    async addMember(input, maxMembers) {
      return db.transaction((tx) => {
        const convo = tx
          .select({ id: conversations.id })
          .from(conversations)
          .where(eq(conversations.id, input.conversationId))
          .get();
        if (!convo) return { refused: 'gone' as const };
        if (tx.select().from(roomMembers).where(member(input.conversationId, input.userId)).get()) {
          return { refused: 'exists' as const };
        }
        const held = tx
          .select({ n: count() })
          .from(roomMembers)
          .where(eq(roomMembers.conversationId, input.conversationId))
          .get();
        if ((held?.n ?? 0) >= maxMembers) return { refused: 'full' as const };
        const added = tx
          .insert(roomMembers)
          .values({ ...input, addedAt: stamp() })
          .returning(memberColumns)
          .get();
        return { added };
      });
    },

    async setRole(conversationId, userId, role) {
      return db
        .update(roomMembers)
        .set({ role })
        .where(member(conversationId, userId))
        .returning(memberColumns)
        .get();
    },

    async removeMember(conversationId, userId) {
      return db.delete(roomMembers).where(member(conversationId, userId)).run().changes > 0;
    },

    async removeAll(conversationId) {
      return db
        .delete(roomMembers)
        .where(eq(roomMembers.conversationId, conversationId))
        .returning(memberColumns)
        .all()
        .sort((a, b) => a.addedAt.getTime() - b.addedAt.getTime() || (a.userId < b.userId ? -1 : 1))
        .map((m) => m.userId);
    },

    async memberCounts(conversationIds) {
      if (conversationIds.length === 0) return new Map();
      const rows = db
        .select({ id: roomMembers.conversationId, n: count() })
        .from(roomMembers)
        .where(inArray(roomMembers.conversationId, [...conversationIds]))
        .groupBy(roomMembers.conversationId)
        .all();
      return new Map(rows.map((r) => [r.id, r.n]));
    },
  };
}
