// The socket's state in the sidebar header: live progress depends on it, so it is always visible.
import { useConnectionStatus } from '../trpc/connection.ts';
import { useSocketState } from '../trpc/react.tsx';

export function ConnectionBadge() {
  const status = useConnectionStatus(useSocketState());
  return (
    <span
      className={`connection connection-${status}`}
      data-testid="connection"
      role="status"
      title={`Live updates: ${status}`}
    >
      {status}
    </span>
  );
}
