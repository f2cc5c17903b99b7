// A completed run's result: the summary, the chart, the rows and the column profile.
import { memo } from 'react';
import type { RunResult } from '../trpc/types.ts';
import { ChartPanel } from './ChartPanel.tsx';
import { ResultTable } from './ResultTable.tsx';
import { Profile } from './RunParts.tsx';

export const ResultView = memo(function ResultView(props: {
  runId: string;
  result: RunResult;
  /** A question's card says it in its answer instead. */
  summary?: boolean;
}) {
  const { result } = props;
  return (
    <>
      {props.summary !== false && result.summary && <p className="summary">{result.summary}</p>}
      <ChartPanel runId={props.runId} result={result} />
      <ResultTable runId={props.runId} result={result} />
      {result.profile.length > 0 && <Profile profile={result.profile} />}
    </>
  );
});
