// ConversationStore over SQLite: conversations and their ordered messages. A delete takes the
// conversation's messages, runs and events with it (foreign keys cascade).
import type { ConversationStore, NewMessage } from '@querylane/runs';
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { conversations, messages } from './schema.ts';
import { stamp } from './stamp.ts';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** Appends a message in its conversation's order and moves the conversation to the top. */
export function insertMessage(tx: Tx | Db, message: NewMessage) {
  const next = tx
    .select({ position: sql<number>`coalesce(max(${messages.position}), 0) + 1` })
    .from(messages)
    .where(eq(messages.conversationId, message.conversationId))
    .get();
  const at = stamp();
  const row = tx
    .insert(messages)
    .values({ ...message, position: next?.position ?? 1, createdAt: at })
    .returning()
    .get();
  tx.update(conversations)
    .set({ updatedAt: at })
    .where(eq(conversations.id, message.conversationId))
    .run();
  const { position: _position, ...record } = row;
  return record;
}

export function createConversationStore(db: Db): ConversationStore {
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
    async getOwned(userId, conversationId) {
      return db.select().from(conversations).where(owned(userId, conversationId)).get();
    },
    async list(userId, limit) {
      return db
        .select()
        .from(conversations)
        .where(eq(conversations.userId, userId))
        .orderBy(desc(conversations.updatedAt), desc(conversations.id))
        .limit(limit)
        .all();
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
      return db.transaction((tx) => insertMessage(tx, message));
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
