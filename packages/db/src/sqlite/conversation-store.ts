// ConversationStore over SQLite: conversations and their ordered messages, listed for a person
// (their own and those shared with them, each with their own pin) pinned first and searched by
// title and content. A delete takes the conversation's messages, runs, events and room with it
// (foreign keys cascade).
import type { ConversationStore } from '@querylane/runs';
import { and, asc, eq, getTableColumns, isNotNull, or } from 'drizzle-orm';
import {
  conversationOrder,
  conversationPageOf,
  conversationsAfter,
  titleOrMessageMatches,
  viewedBy,
} from '../shared/queries.ts';
import { stamp } from '../shared/stamp.ts';
import type { Db } from './client.ts';
import type { HotPath } from './hot-path.ts';
import { conversations, messages, roomMembers } from './schema.ts';

export function createConversationStore(db: Db, hot: HotPath): ConversationStore {
  const owned = (userId: string, id: string) =>
    and(eq(conversations.id, id), eq(conversations.userId, userId));

  return {
    async create(conversation) {
      const at = stamp();
      return db
        .insert(conversations)
        .values({ ...conversation, createdAt: at, updatedAt: at })
        .returning()
        .get();
    },
    async page({ userId, limit, cursor, search }) {
      const view = viewedBy(conversations, getTableColumns(conversations), roomMembers, userId);
      const rows = db
        .select(view.columns)
        .from(conversations)
        .leftJoin(roomMembers, view.seat)
        .where(
          and(
            or(eq(conversations.userId, userId), isNotNull(roomMembers.userId)),
            search ? titleOrMessageMatches({ conversations, messages }, search, 'like') : undefined,
            cursor ? conversationsAfter(view.order, cursor, (ms) => ms) : undefined,
          ),
        )
        .orderBy(...conversationOrder(view.order))
        .limit(limit + 1)
        .all();
      return conversationPageOf(rows, limit);
    },
    async setPinned(userId, conversationId, pinned) {
      const pinnedAt = pinned ? stamp() : null;
      // The owner's pin is on the conversation, a member's on their seat in its room.
      const changed =
        db.update(conversations).set({ pinnedAt }).where(owned(userId, conversationId)).run()
          .changes > 0 ||
        db
          .update(roomMembers)
          .set({ pinnedAt })
          .where(
            and(eq(roomMembers.conversationId, conversationId), eq(roomMembers.userId, userId)),
          )
          .run().changes > 0;
      if (!changed) return undefined;
      const view = viewedBy(conversations, getTableColumns(conversations), roomMembers, userId);
      return db
        .select(view.columns)
        .from(conversations)
        .leftJoin(roomMembers, view.seat)
        .where(eq(conversations.id, conversationId))
        .get();
    },
    async rename(userId, conversationId, title) {
      return db
        .update(conversations)
        .set({ title, updatedAt: stamp() })
        .where(owned(userId, conversationId))
        .returning()
        .get();
    },
    async delete(userId, conversationId) {
      return db.delete(conversations).where(owned(userId, conversationId)).run().changes > 0;
    },
    async appendMessage(message) {
      return hot.appendMessage(message);
    },
    async messages(conversationId) {
      return db
        .select()
        .from(messages)
        .where(eq(messages.conversationId, conversationId))
        .orderBy(asc(messages.position))
        .all()
        .map(({ position: _position, ...record }) => record);
    },
  };
}
