// The chart a person chose for a run: undefined while they have not chosen (the suggestion is
// shown), null when they hid it, else their spec.
import { useCallback, useState } from 'react';
import type { ChartSpec } from './chart-spec.ts';

export interface ChartChoice {
  saved: ChartSpec | null | undefined;
  save: (spec: ChartSpec | null) => void;
  saving: boolean;
  error: string | null;
}

export function useChartChoice(_runId: string): ChartChoice {
  const [saved, setSaved] = useState<ChartSpec | null | undefined>(undefined);
  return { saved, save: useCallback((spec) => setSaved(spec), []), saving: false, error: null };
}
