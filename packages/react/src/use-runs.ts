// Starting runs and listing them: thin hooks over tRPC's query and mutation options, so they share
// the app's TanStack Query cache (and its invalidation) with everything else.
import type { AppRouter, RouterInputs, RouterOutputs } from '@querylane/client';
import {
  type UseMutationResult,
  type UseQueryResult,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import type { TRPCClientErrorLike } from '@trpc/client';
import { useTRPC } from './context.tsx';

/** What a procedure call fails with: the server's code, message and zod issues. */
export type QuerylaneError = TRPCClientErrorLike<AppRouter>;

/** `runs.start` as a mutation: `mutate({ query })`, then hand `data.runId` to `useRun`. */
export function useStartRun(): UseMutationResult<
  RouterOutputs['runs']['start'],
  QuerylaneError,
  RouterInputs['runs']['start']
> {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return useMutation(
    trpc.runs.start.mutationOptions({
      // A new run heads every listing.
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.runs.list.pathKey() }),
    }),
  );
}

/** The latest runs (one page, newest first); refreshed when a run started or followed here ends. */
export function useRunsList(
  input: RouterInputs['runs']['list'] = {},
): UseQueryResult<RouterOutputs['runs']['list'], QuerylaneError> {
  const trpc = useTRPC();
  return useQuery(trpc.runs.list.queryOptions(input));
}
