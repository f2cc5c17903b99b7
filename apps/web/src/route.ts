// The SPA's one piece of routing: `/c/<conversationId>` selects a conversation, `/admin` is the
// admin page, anything else is the start page. History API only; the server falls back to index.html for these paths.
import { useSyncExternalStore } from 'react';

export type Route =
  | { page: 'home' }
  | { page: 'admin' }
  | { page: 'conversation'; conversationId: string };

export const ADMIN_PATH = '/admin';

export function parseRoute(pathname: string): Route {
  if (pathname === ADMIN_PATH || pathname === `${ADMIN_PATH}/`) return { page: 'admin' };
  const match = /^\/c\/([^/]+)\/?$/.exec(pathname);
  if (match?.[1]) {
    try {
      return { page: 'conversation', conversationId: decodeURIComponent(match[1]) };
    } catch {
      // A malformed escape is not a conversation id; fall through to the start page.
    }
  }
  return { page: 'home' };
}

export function conversationPath(conversationId: string): string {
  return `/c/${encodeURIComponent(conversationId)}`;
}

const NAVIGATE_EVENT = 'querylane:navigate';

export function navigate(path: string, opts: { replace?: boolean } = {}): void {
  if (path === window.location.pathname) return;
  if (opts.replace) window.history.replaceState(null, '', path);
  else window.history.pushState(null, '', path);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATE_EVENT, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATE_EVENT, onChange);
  };
}

export function usePathname(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname);
}
