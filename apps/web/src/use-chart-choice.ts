// The chart a person chose for a run, kept with the run on the server (`runs.setChart`) so it
// survives a reload: null while they have not chosen (the suggestion shows), a spec of type
// `none` when they hid it. Saved optimistically; a refusal puts the old choice back.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import type { ChartSpec } from './chart-spec.ts';
import { describeError } from './trpc/errors.ts';
import { useTRPC } from './trpc/react.tsx';

export interface ChartChoice {
  saved: ChartSpec | null;
  save: (spec: ChartSpec | null) => void;
  saving: boolean;
  error: string | null;
}

export function useChartChoice(runId: string): ChartChoice {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const key = trpc.runs.byId.queryKey({ runId });
  const record = useQuery(trpc.runs.byId.queryOptions({ runId }));
  const setChart = useMutation(
    trpc.runs.setChart.mutationOptions({
      onMutate: async ({ chart }) => {
        await queryClient.cancelQueries({ queryKey: key });
        const before = queryClient.getQueryData(key);
        queryClient.setQueryData(key, (old) => (old ? { ...old, chart } : old));
        return { before };
      },
      onError: (_err, _input, context) => {
        if (context?.before) queryClient.setQueryData(key, context.before);
      },
    }),
  );
  const { mutate } = setChart;
  const save = useCallback((chart: ChartSpec | null) => mutate({ runId, chart }), [mutate, runId]);
  return {
    saved: record.data?.chart ?? null,
    save,
    saving: setChart.isPending,
    error: setChart.error ? describeError(setChart.error) : null,
  };
}
