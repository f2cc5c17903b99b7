// CommentStore over SQLite: comments in each room's order (a position, as timestamps can tie),
// changed or removed only by their author.
import { type CommentRecord, type CommentStore, NotFoundError } from '@querylane/runs';
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import { stamp } from '../shared/stamp.ts';
import type { Db } from './client.ts';
import { comments, conversations } from './schema.ts';

type Row = typeof comments.$inferSelect;

const toRecord = ({ position: _position, ...record }: Row): CommentRecord => record;

export function createCommentStore(db: Db): CommentStore {
  const authored = (commentId: string, authorId: string) =>
    and(eq(comments.id, commentId), eq(comments.userId, authorId));

  return {
    async add(comment) {
      return db.transaction((tx) => {
        const convo = tx
          .select({ id: conversations.id })
          .from(conversations)
          .where(eq(conversations.id, comment.conversationId))
          .get();
        if (!convo) throw new NotFoundError('Conversation', comment.conversationId);
        const next = tx
          .select({ position: sql<number>`coalesce(max(${comments.position}), 0) + 1` })
          .from(comments)
          .where(eq(comments.conversationId, comment.conversationId))
          .get();
        const row = tx
          .insert(comments)
          .values({ ...comment, position: next?.position ?? 1, createdAt: stamp() })
          .returning()
          .get();
        return toRecord(row);
      });
    },

    async get(commentId) {
      const row = db.select().from(comments).where(eq(comments.id, commentId)).get();
      return row && toRecord(row);
    },

    async edit(commentId, authorId, body) {
      const row = db
        .update(comments)
        .set({ body, editedAt: stamp() })
        .where(authored(commentId, authorId))
        .returning()
        .get();
      return row && toRecord(row);
    },

    async delete(commentId, authorId) {
      return db.delete(comments).where(authored(commentId, authorId)).run().changes > 0;
    },

    async list(conversationId, { limit, beforeId }) {
      const before = beforeId
        ? db
            .select({ position: comments.position })
            .from(comments)
            .where(and(eq(comments.id, beforeId), eq(comments.conversationId, conversationId)))
            .get()
        : undefined;
      if (beforeId && !before) return { items: [], hasOlder: false };
      const rows = db
        .select()
        .from(comments)
        .where(
          and(
            eq(comments.conversationId, conversationId),
            before ? lt(comments.position, before.position) : undefined,
          ),
        )
        .orderBy(desc(comments.position))
        .limit(limit + 1)
        .all();
      return {
        items: rows.slice(0, limit).reverse().map(toRecord),
        hasOlder: rows.length > limit,
      };
    },
  };
}
