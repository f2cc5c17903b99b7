// React bindings, from @querylane/react: the typed TanStack Query options proxy (`useTRPC`), the
// socket's connection state, and the provider that hands the client to the component tree.
import type { QuerylaneClient } from '@querylane/client';
import { QuerylaneProvider, useQuerylane } from '@querylane/react';
import { QueryClient } from '@tanstack/react-query';
import { type ReactNode, useEffect } from 'react';

export { useTRPC, useTRPCClient } from '@querylane/react';

/** The socket's connection state, for the badge that shows whether live updates flow. */
export function useSocketState(): QuerylaneClient['connectionState'] {
  return useQuerylane().connectionState;
}

const NO_RETRY = new Set([
  'NOT_FOUND',
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'TOO_MANY_REQUESTS',
]);

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // History rarely changes behind our back; mutations invalidate what they touch.
        staleTime: 30_000,
        refetchOnWindowFocus: false,
        retry: (failureCount, error) => {
          // These will not fix themselves by asking again at once.
          const code = (error as { data?: { code?: string } }).data?.code;
          if (code && NO_RETRY.has(code)) return false;
          return failureCount < 2;
        },
      },
    },
  });
}

/**
 * Once the socket is back after a loss, what failed while the server was away is asked again: a
 * conversation that could not load (a run that ended as the server stopped asks for it) would
 * otherwise keep saying "Failed to fetch" with the server up again.
 */
function useRefetchFailedOnReconnect(client: QuerylaneClient, queryClient: QueryClient): void {
  useEffect(() => {
    let lost = false;
    const sub = client.connectionState.subscribe({
      next: (state) => {
        if (state.state === 'connecting' && state.error) lost = true;
        if (state.state !== 'pending' || !lost) return;
        lost = false;
        void queryClient.invalidateQueries({ predicate: (q) => q.state.status === 'error' });
      },
    });
    return () => sub.unsubscribe();
  }, [client, queryClient]);
}

export function ApiProvider(props: {
  client: QuerylaneClient;
  queryClient: QueryClient;
  children: ReactNode;
}) {
  useRefetchFailedOnReconnect(props.client, props.queryClient);
  return (
    <QuerylaneProvider client={props.client} queryClient={props.queryClient}>
      {props.children}
    </QuerylaneProvider>
  );
}
