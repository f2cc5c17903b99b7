// The messages between the rooms bench driver and its host process, and the users' tokens.

export type RoomsHostRequest =
  /** A conversation of u0 shared with u`first`…u`first + members - 1`, and an idle run in it. */
  | { op: 'setup'; first: number; members: number }
  /** After two full GCs: what the process holds. */
  | { op: 'memory' }
  | { op: 'sessions' }
  | { op: 'connections' };

export const tokenOf = (user: number) => `bench-room-token-${String(user).padStart(5, '0')}`;
