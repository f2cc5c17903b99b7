// The room's strip above the thread: who has it open (initials, each person once), who is typing,
// this person's role, and the way to share it (owner) or see who is in it (members).
import './rooms.css';
import { useState } from 'react';
import { useSession } from '../session.tsx';
import { endMessage, initials, typingLine } from './room-state.ts';
import { ShareDialog } from './ShareDialog.tsx';
import type { Room } from './use-room.ts';

export function RoomBar({ room }: { room: Room }) {
  const session = useSession();
  const [sharing, setSharing] = useState(false);
  const { state } = room;
  if (!state) return null;
  if (state.ended) {
    return (
      <p className="room-ended" role="status" data-testid="room-ended">
        {endMessage(state.ended)}
      </p>
    );
  }
  const typing = typingLine(state.typing, room.me);
  const others = state.present.filter((u) => u !== room.me);
  const owner = state.role === 'owner';
  return (
    <div className="room-bar" data-testid="room-bar">
      <ul className="presence" aria-label="Here now" data-testid="presence">
        {state.present.map((user) => (
          <li
            key={user}
            className={`avatar${user === room.me ? ' avatar-me' : ''}`}
            title={user === room.me ? `${user} (you)` : user}
            data-testid="presence-user"
            data-user={user}
          >
            {initials(user)}
          </li>
        ))}
      </ul>
      <span className="sr-only">
        {others.length === 0 ? 'Nobody else here' : `Here now: ${others.join(', ')}`}
      </span>
      <span className="typing-line" aria-live="polite" data-testid="typing-indicator">
        {typing ?? ''}
      </span>
      {!owner && (
        <span className="role-badge" data-testid="room-role" title={`Shared by ${state.ownerId}`}>
          {state.role}
        </span>
      )}
      <button
        type="button"
        className="btn btn-small"
        onClick={() => setSharing(true)}
        data-testid="share-button"
        title={session.sharing.enabled ? undefined : (session.sharing.reason ?? undefined)}
      >
        {owner
          ? state.members.length > 0
            ? `Shared · ${state.members.length}`
            : 'Share'
          : 'Members'}
      </button>
      {sharing && <ShareDialog room={room} onClose={() => setSharing(false)} />}
    </div>
  );
}
