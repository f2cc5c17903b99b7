// Notices an admin broadcasts arrive live over the `notices` subscription and show as a banner
// until dismissed.
import { useSubscription } from '@trpc/tanstack-react-query';
import { useState } from 'react';
import { useTRPC } from '../trpc/react.tsx';
import type { Notice } from '../trpc/types.ts';

export function NoticeBanner() {
  const trpc = useTRPC();
  const [notice, setNotice] = useState<Notice | null>(null);
  useSubscription(
    trpc.notices.subscriptionOptions(undefined, {
      onData: (tracked) => setNotice(tracked.data),
    }),
  );
  if (!notice) return null;
  return (
    <div className="notice-banner" role="status" data-testid="notice-banner">
      <span className="notice-from">Notice from {notice.from}</span>
      <span className="notice-message" data-testid="notice-message">
        {notice.message}
      </span>
      <button
        type="button"
        className="icon-btn"
        aria-label="Dismiss notice"
        onClick={() => setNotice(null)}
      >
        ×
      </button>
    </div>
  );
}
