// CommentStore over PostgreSQL: comments in each room's order (a position taken under the
// conversation's row lock, as nodes may add at once and timestamps can tie), changed or removed
// only by their author.
import { type CommentRecord, type CommentStore, NotFoundError } from '@querylane/runs';
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import { stamp } from '../shared/stamp.ts';
import type { PgDb } from './client.ts';
import { comments, conversations } from './schema.ts';

type Row = typeof comments.$inferSelect;

const toRecord = ({ position: _position, ...record }: Row): CommentRecord => record;

export function createCommentStore(db: PgDb): CommentStore {
  const authored = (commentId: string, authorId: string) =>
    and(eq(comments.id, commentId), eq(comments.userId, authorId));

  return {
    async add(comment) {
      return db.transaction(async (tx) => {
        const [convo] = await tx
          .select({ id: conversations.id })
          .from(conversations)
          .where(eq(conversations.id, comment.conversationId))
          .for('no key update');
        if (!convo) throw new NotFoundError('Conversation', comment.conversationId);
        const next = sql<number>`(SELECT coalesce(max(${comments.position}), 0) + 1 FROM ${comments}
          WHERE ${comments.conversationId} = ${comment.conversationId})`;
        const [row] = await tx
          .insert(comments)
          .values({ ...comment, position: next, createdAt: stamp() })
          .returning();
        if (!row) throw new Error(`comment ${comment.id} was not written`);
        return toRecord(row);
      });
    },

    async get(commentId) {
      const [row] = await db.select().from(comments).where(eq(comments.id, commentId));
      return row && toRecord(row);
    },

    async edit(commentId, authorId, body) {
      const [row] = await db
        .update(comments)
        .set({ body, editedAt: stamp() })
        .where(authored(commentId, authorId))
        .returning();
      return row && toRecord(row);
    },

    async delete(commentId, authorId) {
      const gone = await db
        .delete(comments)
        .where(authored(commentId, authorId))
        .returning({ id: comments.id });
      return gone.length > 0;
    },

    async list(conversationId, { limit, beforeId }) {
      const [before] = beforeId
        ? await db
            .select({ position: comments.position })
            .from(comments)
            .where(and(eq(comments.id, beforeId), eq(comments.conversationId, conversationId)))
        : [];
      if (beforeId && !before) return { items: [], hasOlder: false };
      const rows = await db
        .select()
        .from(comments)
        .where(
          and(
            eq(comments.conversationId, conversationId),
            before ? lt(comments.position, before.position) : undefined,
          ),
        )
        .orderBy(desc(comments.position))
        .limit(limit + 1);
      return {
        items: rows.slice(0, limit).reverse().map(toRecord),
        hasOlder: rows.length > limit,
      };
    },
  };
}
