// React bindings: the typed TanStack Query options proxy (`useTRPC`) and the provider that
// hands the client and the socket's connection state to the component tree.
import type { AppRouter } from '@querylane/api';
import type { QuerylaneClient } from '@querylane/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createTRPCContext } from '@trpc/tanstack-react-query';
import { createContext, type ReactNode, useContext } from 'react';

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

type SocketState = QuerylaneClient['connectionState'];
const SocketContext = createContext<SocketState | null>(null);

/** The socket's connection state, for the badge that shows whether live updates flow. */
export function useSocketState(): SocketState {
  const state = useContext(SocketContext);
  if (!state) throw new Error('useSocketState must be used inside <ApiProvider>');
  return state;
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

export function ApiProvider(props: {
  client: QuerylaneClient;
  queryClient: QueryClient;
  children: ReactNode;
}) {
  return (
    <QueryClientProvider client={props.queryClient}>
      <TRPCProvider trpcClient={props.client.trpc} queryClient={props.queryClient}>
        <SocketContext.Provider value={props.client.connectionState}>
          {props.children}
        </SocketContext.Provider>
      </TRPCProvider>
    </QueryClientProvider>
  );
}
