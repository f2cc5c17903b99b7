// What a room service is built from and what a member sees on opening a room: the shapes
// the room service takes and gives, apart from its logic.
import type { RoomPresence, RoomRole } from '@querylane/contracts';
import type { Access } from './access.ts';
import type {
  CommentRecord,
  CommentStore,
  ConversationRecord,
  MemberRecord,
  Presence,
  RoomLog,
  RoomStore,
} from './ports.ts';

export interface RoomServiceOptions {
  rooms: RoomStore;
  comments: CommentStore;
  access: Access;
  log: RoomLog;
  presence: Presence;
  /** Members a room may hold besides its owner. */
  maxMembers: number;
  /** Why sharing is off on this server (no sign-in), or null when it is on. */
  sharingDisabled: string | null;
  /** How long a session stays present without a heartbeat. */
  presenceTtlMs: number;
  now?: () => number;
  logError: (message: string, err?: unknown) => void;
}

/** What a member gets on opening a room; its `seq` is where `rooms.events` should resume. */
export interface RoomView {
  conversation: ConversationRecord;
  role: RoomRole;
  members: MemberRecord[];
  comments: CommentRecord[];
  hasOlderComments: boolean;
  presence: RoomPresence;
  seq: number;
}
