// Who is signed in: the token kept for this browser tab (sessionStorage), a client built around
// it, and the gate that shows the sign-in screen while the server wants a token it has not taken.

import type { RouterOutputs } from '@querylane/api';
import type { QuerylaneClient } from '@querylane/client';
import { type QueryClient, useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useContext, useEffect, useSyncExternalStore } from 'react';
import { SignIn } from './components/SignIn.tsx';
import { ApiProvider, useTRPC } from './trpc/react.tsx';

const TOKEN_KEY = 'querylane.token';

export function readStoredToken(): string | null {
  try {
    return window.sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null; // storage disabled: the user signs in again after a reload
  }
}

function storeToken(token: string | null): void {
  try {
    if (token) window.sessionStorage.setItem(TOKEN_KEY, token);
    else window.sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // As above: the token then lives only as long as this page.
  }
}

/**
 * The current client. A socket authenticates once, when it connects, so signing in or out
 * replaces the client (and its socket) rather than patching the old one.
 */
export class ClientSession {
  #client: QuerylaneClient;
  #generation = 0;
  readonly #listeners = new Set<() => void>();

  constructor(private readonly create: () => QuerylaneClient) {
    this.#client = create();
  }

  get client(): QuerylaneClient {
    return this.#client;
  }

  get generation(): number {
    return this.#generation;
  }

  replace(token: string | null): void {
    storeToken(token);
    void this.#client.close();
    this.#client = this.create();
    this.#generation += 1;
    for (const listener of this.#listeners) listener();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };
}

type SessionInfo = RouterOutputs['session'];

export interface Session {
  authMode: SessionInfo['authMode'];
  user: SessionInfo['user'];
  /** Whether conversations can be shared here, and if not, why. */
  sharing: SessionInfo['sharing'];
  signOut: () => void;
}

const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession must be used inside <SessionRoot>');
  return session;
}

export function SessionRoot(props: {
  session: ClientSession;
  queryClient: QueryClient;
  children: ReactNode;
}) {
  const { session, queryClient } = props;
  const generation = useSyncExternalStore(session.subscribe, () => session.generation);
  const replace = (token: string | null) => {
    queryClient.clear();
    session.replace(token);
  };
  return (
    // A new key per client: nothing cached or subscribed under the old identity survives.
    <ApiProvider key={generation} client={session.client} queryClient={queryClient}>
      <AuthGate
        hadToken={readStoredToken() !== null}
        onSignIn={(token) => replace(token)}
        onSignOut={() => replace(null)}
      >
        {props.children}
      </AuthGate>
    </ApiProvider>
  );
}

const isUnauthorized = (error: unknown) =>
  (error as { data?: { code?: string } } | null)?.data?.code === 'UNAUTHORIZED';

function AuthGate(props: {
  hadToken: boolean;
  onSignIn: (token: string) => void;
  onSignOut: () => void;
  children: ReactNode;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const info = useQuery(
    trpc.session.queryOptions(undefined, { staleTime: Number.POSITIVE_INFINITY }),
  );
  const { refetch } = info;

  // A token that stops working mid-session (expired, revoked) sends the user back to sign in.
  useEffect(() => {
    const recheck = () => void refetch();
    const offQueries = queryClient.getQueryCache().subscribe((event) => {
      if (
        event.type === 'updated' &&
        event.action.type === 'error' &&
        isUnauthorized(event.action.error)
      ) {
        recheck();
      }
    });
    const offMutations = queryClient.getMutationCache().subscribe((event) => {
      if (
        event.type === 'updated' &&
        event.action.type === 'error' &&
        isUnauthorized(event.action.error)
      ) {
        recheck();
      }
    });
    return () => {
      offQueries();
      offMutations();
    };
  }, [queryClient, refetch]);

  if (info.isPending) {
    return <div className="splash muted">Connecting…</div>;
  }
  if (info.error) {
    return (
      <div className="splash">
        <p className="inline-error">{info.error.message}</p>
        <button type="button" className="btn" onClick={() => void refetch()}>
          Try again
        </button>
      </div>
    );
  }
  const { authMode, user, sharing } = info.data;
  if (authMode !== 'none' && !user) {
    return <SignIn rejected={props.hadToken} onSignIn={props.onSignIn} />;
  }
  return (
    <SessionContext.Provider value={{ authMode, user, sharing, signOut: props.onSignOut }}>
      {props.children}
    </SessionContext.Provider>
  );
}
