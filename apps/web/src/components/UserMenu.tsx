// The signed-in user under the brand, with the way to the admin page and out.
import { ADMIN_PATH, navigate } from '../route.ts';
import { useSession } from '../session.tsx';

export function UserMenu() {
  const { authMode, user, signOut } = useSession();
  const signedIn = authMode !== 'none' && user;
  if (!signedIn && user?.role !== 'admin') return null;
  return (
    <div className="user-menu" data-testid="user-menu">
      {signedIn && (
        <span className="user-name" title={`Signed in as ${user.id}`}>
          <span data-testid="user-name">{user.id}</span>
          {user.role === 'admin' && <span className="role-tag">admin</span>}
        </span>
      )}
      {user?.role === 'admin' && (
        <a
          href={ADMIN_PATH}
          className="user-link"
          onClick={(e) => {
            if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
            e.preventDefault();
            navigate(ADMIN_PATH);
          }}
        >
          Admin
        </a>
      )}
      {signedIn && (
        <button type="button" className="btn btn-small btn-ghost" onClick={signOut}>
          Sign out
        </button>
      )}
    </div>
  );
}
