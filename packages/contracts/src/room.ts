// The room contract: a conversation shared with members, what each role may do, the comments
// left in it, and the one event union its log keeps and `rooms.events` streams.
import { z } from 'zod';
import { Comment } from './comment.ts';
import { memberRoles, roomRoles } from './room-sets.ts';
import { runKinds } from './sets.ts';

export const MemberRole = z.enum(memberRoles);
export type MemberRole = z.infer<typeof MemberRole>;

export const RoomRole = z.enum(roomRoles);
export type RoomRole = z.infer<typeof RoomRole>;

export const Member = z.object({
  userId: z.string(),
  role: MemberRole,
  addedBy: z.string(),
  addedAt: z.date(),
});
export type Member = z.infer<typeof Member>;

const base = {
  seq: z.number().int().positive(),
  conversationId: z.string(),
  at: z.date(),
};

export const RoomEvent = z.discriminatedUnion('type', [
  /** A run started in the room; its progress and result come through `runs.events`. */
  z.object({
    ...base,
    type: z.literal('run_started'),
    runId: z.string(),
    userId: z.string(),
    kind: z.enum(runKinds),
    query: z.string(),
    datasetId: z.string(),
  }),
  z.object({ ...base, type: z.literal('comment_added'), comment: Comment }),
  z.object({ ...base, type: z.literal('comment_edited'), comment: Comment }),
  z.object({
    ...base,
    type: z.literal('comment_deleted'),
    commentId: z.string(),
    userId: z.string(),
  }),
  z.object({ ...base, type: z.literal('member_added'), member: Member, by: z.string() }),
  z.object({ ...base, type: z.literal('member_role_changed'), member: Member, by: z.string() }),
  /** `left` by themselves, or `removed` by the owner; their stream ends with this event. */
  z.object({
    ...base,
    type: z.literal('member_removed'),
    userId: z.string(),
    by: z.string(),
    why: z.enum(['left', 'removed']),
  }),
  /** Every member went at once; their streams end with this event, the owner's goes on. */
  z.object({ ...base, type: z.literal('unshared'), removed: z.array(z.string()), by: z.string() }),
  z.object({ ...base, type: z.literal('renamed'), title: z.string(), by: z.string() }),
  /** The conversation is gone: the last event of the room, for everyone. */
  z.object({ ...base, type: z.literal('deleted'), by: z.string() }),
]);
export type RoomEvent = z.infer<typeof RoomEvent>;
export type RoomEventType = RoomEvent['type'];
export type RoomEventOf<T extends RoomEventType> = Extract<RoomEvent, { type: T }>;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** What a service appends; the room's log stamps `seq`, `conversationId` and `at`. */
export type RoomEventInput = DistributiveOmit<RoomEvent, 'seq' | 'conversationId' | 'at'>;

/** After this event the room has no further event, for anyone. */
export const isTerminalRoomEvent = (event: { type: RoomEventType }): boolean =>
  event.type === 'deleted';

/** Whether `userId` can no longer read the room once this event has happened. */
export function endsAccessFor(event: RoomEvent, userId: string): boolean {
  if (event.type === 'deleted') return true;
  if (event.type === 'member_removed') return event.userId === userId;
  if (event.type === 'unshared') return event.removed.includes(userId);
  return false;
}

/**
 * Who has the room open right now and who is typing, each user once however many tabs they
 * have. Not history: `rooms.events` sends the whole state on every change.
 */
export const RoomPresence = z.object({
  present: z.array(z.string()),
  typing: z.array(z.string()),
});
export type RoomPresence = z.infer<typeof RoomPresence>;
