// A shared room as the SPA holds it: what `rooms.byId` said when it opened, with every item of
// `rooms.events` folded in. Folding is idempotent (an event replayed after a reconnect, or one
// already in the opening snapshot, changes nothing), so no event is ever shown twice.
import type { RouterOutputs } from '@querylane/api';

type Yielded<T> = T extends AsyncIterable<infer U> ? U : never;
type Untracked<T> = T extends { id: string; data: infer D } ? D : T;

export type RoomSnapshot = RouterOutputs['rooms']['byId'];
export type RoomItem = Untracked<Yielded<RouterOutputs['rooms']['events']>>;
export type RoomComment = RoomSnapshot['comments'][number];
export type RoomMember = RoomSnapshot['members'][number];
export type RoomRole = RoomSnapshot['role'];

/** Why the room is no longer open to this person. */
export type RoomEnd = 'deleted' | 'removed' | 'left' | 'unshared';

export interface RoomState {
  title: string;
  ownerId: string;
  role: RoomRole;
  members: RoomMember[];
  comments: RoomComment[];
  present: string[];
  typing: string[];
  /** Runs started in the room since it opened, newest last: the thread fetches them. */
  startedRuns: string[];
  /** Renames since it opened: the list and the title are fetched again. */
  renames: number;
  /** Seq of the newest stored event folded in. */
  seq: number;
  ended: RoomEnd | null;
}

export function roomFromSnapshot(snapshot: RoomSnapshot): RoomState {
  return {
    title: snapshot.title,
    ownerId: snapshot.ownerId,
    role: snapshot.role,
    members: snapshot.members,
    comments: snapshot.comments,
    present: snapshot.presence.present,
    typing: snapshot.presence.typing,
    startedRuns: [],
    renames: 0,
    seq: Number(snapshot.lastEventId),
    ended: null,
  };
}

const upsert = <T>(list: T[], item: T, same: (a: T) => boolean): T[] =>
  list.some(same) ? list.map((x) => (same(x) ? item : x)) : [...list, item];

export function applyRoomItem(state: RoomState, item: RoomItem, me: string): RoomState {
  if (item.type === 'presence') return { ...state, present: item.present, typing: item.typing };
  if (item.seq <= state.seq) return state; // in the snapshot, or seen before a reconnect
  const next = { ...state, seq: item.seq };
  switch (item.type) {
    case 'run_started':
      return next.startedRuns.includes(item.runId)
        ? next
        : { ...next, startedRuns: [...next.startedRuns, item.runId] };
    case 'comment_added':
    case 'comment_edited':
      return {
        ...next,
        comments: upsert(next.comments, item.comment, (c) => c.id === item.comment.id),
      };
    case 'comment_deleted':
      return { ...next, comments: next.comments.filter((c) => c.id !== item.commentId) };
    case 'member_added':
    case 'member_role_changed': {
      const { member } = item;
      return {
        ...next,
        members: upsert(next.members, member, (m) => m.userId === member.userId),
        role: member.userId === me ? member.role : next.role,
      };
    }
    case 'member_removed':
      return {
        ...next,
        members: next.members.filter((m) => m.userId !== item.userId),
        ended: item.userId === me ? (item.why === 'left' ? 'left' : 'removed') : next.ended,
      };
    case 'unshared':
      return {
        ...next,
        members: [],
        ended: item.removed.includes(me) ? 'unshared' : next.ended,
      };
    case 'renamed':
      return { ...next, title: item.title, renames: next.renames + 1 };
    case 'deleted':
      return { ...next, ended: 'deleted' };
  }
}

/** "Ana is typing…", "Ana and Bo are typing…", "3 people are typing…"; null for nobody. */
export function typingLine(typing: readonly string[], me: string): string | null {
  const others = typing.filter((u) => u !== me);
  if (others.length === 0) return null;
  if (others.length === 1) return `${others[0]} is typing…`;
  if (others.length === 2) return `${others[0]} and ${others[1]} are typing…`;
  return `${others.length} people are typing…`;
}

/** Up to two letters for an avatar: "alice" → "AL", "ana.lopez" → "AL", "bo" → "BO". */
export function initials(userId: string): string {
  const parts = userId.split(/[._@|:-]+/).filter(Boolean);
  const letters =
    parts.length >= 2 ? `${parts[0]?.[0] ?? ''}${parts[1]?.[0] ?? ''}` : userId.slice(0, 2);
  return letters.toUpperCase();
}

export function endMessage(end: RoomEnd): string {
  switch (end) {
    case 'deleted':
      return 'This conversation was deleted by its owner.';
    case 'removed':
      return 'You were removed from this conversation.';
    case 'left':
      return 'You left this conversation.';
    case 'unshared':
      return 'The owner stopped sharing this conversation.';
  }
}
