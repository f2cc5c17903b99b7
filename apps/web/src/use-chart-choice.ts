// The chart a person chose for a run, kept with the run on the server (`runs.setChart`) so it
// survives a reload: null while they have not chosen (the suggestion shows), a spec of type
// `none` when they hid it. A change shows at once; a refusal puts the stored choice back.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
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
  const record = useQuery(trpc.runs.byId.queryOptions({ runId }));
  // What the person picked in this tab, ahead of the server; undefined: nothing picked here.
  const [picked, setPicked] = useState<ChartSpec | null | undefined>(undefined);
  const setChart = useMutation(
    trpc.runs.setChart.mutationOptions({
      onSuccess: ({ chart }) => {
        queryClient.setQueryData(trpc.runs.byId.queryKey({ runId }), (old) =>
          old ? { ...old, chart } : old,
        );
      },
      onError: () => setPicked(undefined),
    }),
  );
  const { mutate } = setChart;
  const save = useCallback(
    (chart: ChartSpec | null) => {
      setPicked(chart);
      mutate({ runId, chart });
    },
    [mutate, runId],
  );
  return {
    saved: picked !== undefined ? picked : (record.data?.chart ?? null),
    save,
    saving: setChart.isPending,
    error: setChart.error ? describeError(setChart.error) : null,
  };
}
