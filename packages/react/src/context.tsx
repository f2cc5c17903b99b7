// The provider every hook here needs: the app's Querylane client, the TanStack Query client, and
// tRPC's typed options proxy over both (`useTRPC`) for any procedure the hooks do not cover.
import type { AppRouter, QuerylaneClient } from '@querylane/client';
import { type QueryClient, QueryClientProvider } from '@tanstack/react-query';
import type { TRPCClient } from '@trpc/client';
import { createTRPCContext, type TRPCOptionsProxy } from '@trpc/tanstack-react-query';
import { createContext, type ReactNode, useContext } from 'react';

type TRPCContext = ReturnType<typeof createTRPCContext<AppRouter>>;
// Annotated, so declaration files name AppRouter instead of spelling the whole router out.
const trpcContext: TRPCContext = createTRPCContext<AppRouter>();
export const TRPCProvider: TRPCContext['TRPCProvider'] = trpcContext.TRPCProvider;
/** tRPC's typed query, mutation and subscription options for every procedure. */
export const useTRPC: () => TRPCOptionsProxy<AppRouter> = trpcContext.useTRPC;
export const useTRPCClient: () => TRPCClient<AppRouter> = trpcContext.useTRPCClient;

const ClientContext = createContext<QuerylaneClient | null>(null);

/** The client given to `<QuerylaneProvider>`: its socket state, discovery, `run()`, `events()`. */
export function useQuerylane(): QuerylaneClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error('useQuerylane and the Querylane hooks need a <QuerylaneProvider>.');
  return client;
}

export interface QuerylaneProviderProps {
  client: QuerylaneClient;
  queryClient: QueryClient;
  children?: ReactNode;
}

/**
 * Wraps the app (or the part that talks to Querylane). A new `client` (another token, another
 * server) is best given with a new `key`, so nothing cached under the old one survives.
 */
export function QuerylaneProvider({ client, queryClient, children }: QuerylaneProviderProps) {
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={client.trpc} queryClient={queryClient}>
        <ClientContext.Provider value={client}>{children}</ClientContext.Provider>
      </TRPCProvider>
    </QueryClientProvider>
  );
}
