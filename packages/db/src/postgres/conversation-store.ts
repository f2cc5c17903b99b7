// ConversationStore over PostgreSQL: conversations and their ordered messages, listed for a
// person (their own and those shared with them, each with their own pin) pinned first and
// searched by title and content. Many nodes may append to one conversation at once, so a message
// takes its conversation's row lock before it takes the next position. A delete takes messages,
// runs, events and the room with it (cascade).
import type { ConversationStore, NewMessage } from '@querylane/runs';
import { and, asc, eq, getTableColumns, isNotNull, or, sql } from 'drizzle-orm';
import {
  conversationOrder,
  conversationPageOf,
  conversationsAfter,
  owned,
  titleOrMessageMatches,
  viewedBy,
} from '../shared/queries.ts';
import { stamp } from '../shared/stamp.ts';
import type { PgDb } from './client.ts';
import { conversations, messages, roomMembers } from './schema.ts';

export type Tx = Parameters<Parameters<PgDb['transaction']>[0]>[0];

/** A conversation as records have it: its room's seq counter is the store's own business. */
const { roomSeq: _roomSeq, ...conversationColumns } = getTableColumns(conversations);

export { conversationColumns };

/** Appends a message in its conversation's order and moves the conversation to the top. */
export async function insertMessage(tx: Tx, message: NewMessage) {
  const at = stamp();
  // The update locks the conversation: concurrent appends take positions one after another.
  await tx
    .update(conversations)
    .set({ updatedAt: at })
    .where(eq(conversations.id, message.conversationId));
  const next = sql<number>`(SELECT coalesce(max(${messages.position}), 0) + 1 FROM ${messages}
    WHERE ${messages.conversationId} = ${message.conversationId})`;
  const [row] = await tx
    .insert(messages)
    .values({ ...message, position: next, createdAt: at })
    .returning();
  if (!row) throw new Error(`message ${message.id} was not written`);
  const { position: _position, ...record } = row;
  return record;
}

export function createConversationStore(db: PgDb): ConversationStore {
  const seen = (userId: string, conversationId: string) => {
    const view = viewedBy(conversations, conversationColumns, roomMembers, userId);
    return db
      .select(view.columns)
      .from(conversations)
      .leftJoin(roomMembers, view.seat)
      .where(eq(conversations.id, conversationId));
  };

  return {
    async create(conversation) {
      const at = stamp();
      const [row] = await db
        .insert(conversations)
        .values({ ...conversation, createdAt: at, updatedAt: at })
        .returning(conversationColumns);
      if (!row) throw new Error(`conversation ${conversation.id} was not written`);
      return row;
    },
    async page({ userId, limit, cursor, search }) {
      const view = viewedBy(conversations, conversationColumns, roomMembers, userId);
      const rows = await db
        .select(view.columns)
        .from(conversations)
        .leftJoin(roomMembers, view.seat)
        .where(
          and(
            or(eq(conversations.userId, userId), isNotNull(roomMembers.userId)),
            search
              ? titleOrMessageMatches({ conversations, messages }, search, 'ilike')
              : undefined,
            cursor ? conversationsAfter(view.order, cursor, (ms) => new Date(ms)) : undefined,
          ),
        )
        .orderBy(...conversationOrder(view.order))
        .limit(limit + 1);
      return conversationPageOf(rows, limit);
    },
    async setPinned(userId, conversationId, pinned) {
      const pinnedAt = pinned ? stamp() : null;
      // The owner's pin is on the conversation, a member's on their seat in its room.
      const mine = await db
        .update(conversations)
        .set({ pinnedAt })
        .where(owned(conversations, userId, conversationId))
        .returning({ id: conversations.id });
      const changed =
        mine.length > 0 ||
        (
          await db
            .update(roomMembers)
            .set({ pinnedAt })
            .where(
              and(eq(roomMembers.conversationId, conversationId), eq(roomMembers.userId, userId)),
            )
            .returning({ id: roomMembers.conversationId })
        ).length > 0;
      if (!changed) return undefined;
      const [row] = await seen(userId, conversationId);
      return row;
    },
    async rename(userId, conversationId, title) {
      const [row] = await db
        .update(conversations)
        .set({ title, updatedAt: stamp() })
        .where(owned(conversations, userId, conversationId))
        .returning(conversationColumns);
      return row;
    },
    async delete(userId, conversationId) {
      const gone = await db
        .delete(conversations)
        .where(owned(conversations, userId, conversationId))
        .returning({ id: conversations.id });
      return gone.length > 0;
    },
    async appendMessage(message) {
      return db.transaction((tx) => insertMessage(tx, message));
    },
    async messages(conversationId) {
      const rows = await db
        .select()
        .from(messages)
        .where(eq(messages.conversationId, conversationId))
        .orderBy(asc(messages.position));
      return rows.map(({ position: _position, ...record }) => record);
    },
  };
}
