// ConversationStore over SQLite: conversations and their ordered messages, listed for a person
// (their own and those shared with them, each with their own pin) pinned first and searched by
// title and content. A delete takes the conversation's messages, runs, events and room with it
// (foreign keys cascade).
import type { ConversationCursor, ConversationStore } from '@querylane/runs';
import {
  and,
  asc,
  desc,
  eq,
  exists,
  getTableColumns,
  isNotNull,
  isNull,
  lt,
  or,
  type SQL,
  sql,
} from 'drizzle-orm';
import type { Db } from './client.ts';
import type { HotPath } from './hot-path.ts';
import { conversations, messages, roomMembers } from './schema.ts';
import { stamp } from './stamp.ts';

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
      const view = viewedBy(userId);
      const rows = db
        .select(view.columns)
        .from(conversations)
        .leftJoin(roomMembers, view.seat)
        .where(
          and(
            or(eq(conversations.userId, userId), isNotNull(roomMembers.userId)),
            search ? matching(db, search) : undefined,
            cursor ? after(cursor, view.pinnedAt) : undefined,
          ),
        )
        .orderBy(
          sql`${view.pinnedAt} is null`,
          desc(view.pinnedAt),
          desc(conversations.updatedAt),
          desc(conversations.id),
        )
        .limit(limit + 1)
        .all();
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      return {
        items,
        next:
          rows.length > limit && last
            ? {
                pinnedAt: last.pinnedAt?.getTime() ?? null,
                at: last.updatedAt.getTime(),
                id: last.id,
              }
            : null,
      };
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
      const view = viewedBy(userId);
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

/**
 * A conversation as `userId` sees it: joined to their seat in its room (none for its owner),
 * with their own pin and their role.
 */
function viewedBy(userId: string) {
  const own = sql`${conversations.userId} = ${userId}`;
  const pinnedAt =
    sql<Date | null>`case when ${own} then ${conversations.pinnedAt} else ${roomMembers.pinnedAt} end`.mapWith(
      conversations.pinnedAt,
    );
  return {
    seat: and(eq(roomMembers.conversationId, conversations.id), eq(roomMembers.userId, userId)),
    pinnedAt,
    columns: {
      ...getTableColumns(conversations),
      pinnedAt,
      role: sql<
        'owner' | 'editor' | 'viewer'
      >`case when ${own} then 'owner' else ${roomMembers.role} end`,
    },
  };
}

/** LIKE's wildcards in what the person typed match themselves. */
const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The title, or any message of the conversation, contains `search` (ASCII case ignored). */
function matching(db: Db, search: string): SQL {
  const pattern = likePattern(search);
  return or(
    sql`${conversations.title} like ${pattern} escape '\\'`,
    exists(
      db
        .select({ one: sql`1` })
        .from(messages)
        .where(
          and(
            eq(messages.conversationId, conversations.id),
            sql`${messages.content} like ${pattern} escape '\\'`,
          ),
        ),
    ),
  ) as SQL;
}

/**
 * Everything after `cursor` in the order pinned-first, pinnedAt, updatedAt, id (all newest
 * first); `pin` is the viewer's own pin.
 */
function after(cursor: ConversationCursor, pin: SQL): SQL {
  const at = new Date(cursor.at);
  const sameRank = or(
    lt(conversations.updatedAt, at),
    and(eq(conversations.updatedAt, at), lt(conversations.id, cursor.id)),
  );
  if (cursor.pinnedAt === null) return and(isNull(pin), sameRank) as SQL;
  const pinnedAt = cursor.pinnedAt;
  return or(
    isNull(pin),
    sql`${pin} < ${pinnedAt}`,
    and(sql`${pin} = ${pinnedAt}`, sameRank),
  ) as SQL;
}
