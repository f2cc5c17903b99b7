// The ports of rooms: who is in which conversation's room (RoomStore), the comments left in it
// (CommentStore), and who has it open right now (Presence). Re-exported by ports.ts, with the
// room's event log (RoomHistory, RoomLog) declared there beside the other logs.
import type { Comment, MemberRole, RoomPresence, RoomRole } from '@querylane/contracts';
import type { ConversationRecord } from './ports.ts';

// ─── Rooms ──────────────────────────────────────────────────────────────────────────────────

export interface MemberRecord {
  conversationId: string;
  userId: string;
  role: MemberRole;
  addedBy: string;
  addedAt: Date;
}

export type NewMember = Omit<MemberRecord, 'addedAt'>;

/** A conversation and one user's place in it: `null` when they are not in its room. */
export interface RoomAccess {
  conversation: ConversationRecord;
  role: RoomRole | null;
}

/** Who is in which room. The owner is the conversation's `userId`, never a member row. */
export interface RoomStore {
  /** Undefined when the conversation does not exist. */
  access(userId: string, conversationId: string): Promise<RoomAccess | undefined>;
  /** Oldest first. */
  members(conversationId: string): Promise<MemberRecord[]>;
  /**
   * Adds a member in one step with the count, so concurrent invites never pass `maxMembers`:
   * refused when the room is full, the user is in it already, or the conversation is gone.
   */
  addMember(
    member: NewMember,
    maxMembers: number,
  ): Promise<{ added: MemberRecord } | { refused: 'full' | 'exists' | 'gone' }>;
  setRole(
    conversationId: string,
    userId: string,
    role: MemberRole,
  ): Promise<MemberRecord | undefined>;
  removeMember(conversationId: string, userId: string): Promise<boolean>;
  /** Every member out at once; resolves with who was in, oldest first. */
  removeAll(conversationId: string): Promise<string[]>;
  /** Members per conversation, for those that have any. */
  memberCounts(conversationIds: readonly string[]): Promise<Map<string, number>>;
}

export type CommentRecord = Comment;

export type NewComment = Omit<CommentRecord, 'createdAt' | 'editedAt'>;

export interface CommentStore {
  /** Appends in the room's order; `NotFoundError` when the conversation is gone. */
  add(comment: NewComment): Promise<CommentRecord>;
  get(commentId: string): Promise<CommentRecord | undefined>;
  /** Only its author's; undefined when it is not there or not theirs. */
  edit(commentId: string, authorId: string, body: string): Promise<CommentRecord | undefined>;
  delete(commentId: string, authorId: string): Promise<boolean>;
  /** The newest `limit` (before `beforeId`, to page back), in the order they were written. */
  list(
    conversationId: string,
    opts: { limit: number; beforeId?: string },
  ): Promise<{ items: CommentRecord[]; hasOlder: boolean }>;
}

// ─── Presence ───────────────────────────────────────────────────────────────────────────────

/** One open view of a room: a tab, a client; a user may have several. */
export interface PresenceSession {
  sessionId: string;
  userId: string;
}

/**
 * Who has which room open right now, and who is typing: not history. Entries live until they
 * are left or their time runs out, so a process that dies takes nobody's presence with it for
 * longer than a TTL. Shaped so Redis (sorted sets by expiry, pub/sub for `watch`) can serve it.
 */
export interface Presence {
  /** Present in `room` until `ttlMs` from now; called again before then to stay. */
  heartbeat(room: string, session: PresenceSession, ttlMs: number): Promise<void>;
  /** The session closed. A user whose last session went stops typing too. */
  leave(room: string, sessionId: string): Promise<void>;
  /** Typing until `ttlMs` from now, or (null) not typing any more. */
  typing(room: string, userId: string, ttlMs: number | null): Promise<void>;
  /** Each user once, sorted. */
  list(room: string): Promise<RoomPresence>;
  /** Called with the room's whole state after each change of it; returns the unsubscribe. */
  watch(room: string, listener: (state: RoomPresence) => void): () => void;
  /** Rooms with anyone present, and open sessions, across all rooms. */
  stats(): Promise<{ rooms: number; sessions: number }>;
  close(): Promise<void>;
}
