// The closed sets and limits of rooms as plain values with no zod, like sets.ts: a browser bundle
// that only needs a role list or a limit does not pull in the schemas. room.ts, comment.ts and
// identity.ts build their schemas on these.

/** What an invited member may do: `editor` asks and runs, `viewer` reads; both comment. */
export const memberRoles = ['editor', 'viewer'] as const;
export type MemberRoleName = (typeof memberRoles)[number];
export const isMemberRole = (value: string): value is MemberRoleName =>
  (memberRoles as readonly string[]).includes(value);

/** Someone's place in a room: its owner (who started the conversation) or a member's role. */
export const roomRoles = ['owner', ...memberRoles] as const;
type RoomRoleName = (typeof roomRoles)[number];

/** Owners and editors run queries in a room; viewers only read and comment. */
export const mayRun = (role: RoomRoleName): boolean => role === 'owner' || role === 'editor';
/** Only the owner shares, renames, deletes, and changes who is in. */
export const mayManage = (role: RoomRoleName): boolean => role === 'owner';

/**
 * A composing client sends `typing: true` at most this often; the server takes one per user
 * and room per `TYPING_MIN_GAP_MS` (a little less, for network jitter) and refuses the rest.
 */
export const TYPING_INTERVAL_MS = 2_000;
export const TYPING_MIN_GAP_MS = 1_500;
/** An indicator nobody renewed or stopped (a tab closed mid-sentence) clears after this. */
export const TYPING_TTL_MS = 5_000;

export const COMMENT_MAX_CHARS = 2_000;

/**
 * What a user id may look like: what a token list names and a JWT's `sub` carries, and what an
 * owner types to invite someone. One pattern, so an invite can name anyone who can sign in.
 */
export const USER_ID_PATTERN = /^[A-Za-z0-9_.@|:-]{1,128}$/;
