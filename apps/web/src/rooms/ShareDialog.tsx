// Who is in a room. Its owner invites by user id as editor or viewer, changes roles, removes and
// unshares; a member sees who else is in and can leave. Without sign-in it says why there is no
// sharing instead.
import { isMemberRole, type MemberRoleName, USER_ID_PATTERN } from '@querylane/contracts';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { navigate } from '../route.ts';
import { useSession } from '../session.tsx';
import { describeError } from '../trpc/errors.ts';
import { useTRPC } from '../trpc/react.tsx';
import type { Room } from './use-room.ts';

export function ShareDialog({ room, onClose }: { room: Room; onClose: () => void }) {
  const trpc = useTRPC();
  const session = useSession();
  const ref = useRef<HTMLDialogElement>(null);
  const [userId, setUserId] = useState('');
  const [role, setRole] = useState<MemberRoleName>('editor');
  const { conversationId, state } = room;
  const owner = state?.role === 'owner';

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);

  const share = useMutation(trpc.rooms.share.mutationOptions({ onSuccess: () => setUserId('') }));
  const setMemberRole = useMutation(trpc.rooms.setRole.mutationOptions());
  const remove = useMutation(trpc.rooms.remove.mutationOptions());
  const unshare = useMutation(trpc.rooms.unshare.mutationOptions());
  const leave = useMutation(
    trpc.rooms.leave.mutationOptions({
      onSuccess: () => {
        onClose();
        navigate('/', { replace: true });
      },
    }),
  );
  const failed = [share, setMemberRole, remove, unshare, leave].find((m) => m.error)?.error;
  const validId = USER_ID_PATTERN.test(userId.trim());

  const invite = (e: FormEvent) => {
    e.preventDefault();
    if (validId) share.mutate({ conversationId, userId: userId.trim(), role });
  };

  return (
    <dialog
      ref={ref}
      className="share-dialog"
      aria-labelledby="share-title"
      onClose={onClose}
      data-testid="share-dialog"
    >
      <h2 id="share-title">{owner ? 'Share this conversation' : 'People in this conversation'}</h2>
      {owner && !session.sharing.enabled && (
        <p className="notice-text" data-testid="sharing-disabled">
          {session.sharing.reason}
        </p>
      )}
      {owner && session.sharing.enabled && (
        <form className="share-form" onSubmit={invite}>
          <label>
            <span>User id</span>
            <input
              value={userId}
              onChange={(e) => setUserId(e.currentTarget.value)}
              placeholder="e.g. ana"
              maxLength={128}
              autoComplete="off"
              data-testid="share-user"
            />
          </label>
          <label>
            <span>Role</span>
            <select
              value={role}
              onChange={(e) => {
                const value = e.currentTarget.value;
                if (isMemberRole(value)) setRole(value);
              }}
              data-testid="share-role"
            >
              <option value="editor">editor — asks, runs, comments</option>
              <option value="viewer">viewer — reads, comments</option>
            </select>
          </label>
          <button
            type="submit"
            className="btn btn-primary"
            disabled={!validId || share.isPending}
            data-testid="share-invite"
          >
            Invite
          </button>
          <p className="muted small">At most {session.sharing.maxMembers} people besides you.</p>
        </form>
      )}
      <ul className="members" data-testid="members">
        <li className="member">
          <span className="member-name">{state?.ownerId}</span>
          <span className="muted">owner</span>
        </li>
        {state?.members.map((m) => (
          <li key={m.userId} className="member" data-testid="member" data-user={m.userId}>
            <span className="member-name">
              {m.userId}
              {m.userId === room.me && <span className="muted"> (you)</span>}
            </span>
            {owner ? (
              <>
                <select
                  aria-label={`Role of ${m.userId}`}
                  value={m.role}
                  onChange={(e) => {
                    const value = e.currentTarget.value;
                    if (isMemberRole(value)) {
                      setMemberRole.mutate({ conversationId, userId: m.userId, role: value });
                    }
                  }}
                  data-testid="member-role"
                >
                  <option value="editor">editor</option>
                  <option value="viewer">viewer</option>
                </select>
                <button
                  type="button"
                  className="btn btn-small btn-ghost"
                  onClick={() => remove.mutate({ conversationId, userId: m.userId })}
                  aria-label={`Remove ${m.userId}`}
                >
                  Remove
                </button>
              </>
            ) : (
              <span className="muted">{m.role}</span>
            )}
          </li>
        ))}
      </ul>
      {failed && (
        <p className="inline-error" role="alert" data-testid="share-error">
          {describeError(failed)}
        </p>
      )}
      <div className="dialog-actions">
        {owner && (state?.members.length ?? 0) > 0 && (
          <button
            type="button"
            className="btn btn-danger"
            onClick={() => unshare.mutate({ conversationId })}
          >
            Stop sharing
          </button>
        )}
        {!owner && (
          <button
            type="button"
            className="btn btn-danger"
            onClick={() => leave.mutate({ conversationId })}
            data-testid="leave-room"
          >
            Leave
          </button>
        )}
        <button type="button" className="btn" onClick={() => ref.current?.close()}>
          Close
        </button>
      </div>
    </dialog>
  );
}
