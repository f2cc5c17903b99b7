// The body of a question run's card: the stages while it runs (folded away once it is done),
// then the answer (growing while it streams), the reading, the SQL, and the table and chart;
// or the refusal with questions to ask instead.
import type { RunState } from '@querylane/react';
import { lazy, Suspense } from 'react';
import { ResultView } from '../components/ResultView.tsx';
import { ErrorBox } from '../components/RunParts.tsx';
import { isRefusal, Reading, Refusal, SqlFold, StageTimeline } from './QuestionParts.tsx';

const Answer = lazy(() => import('./Answer.tsx'));

export function QuestionBody(props: {
  runId: string;
  view: RunState;
  onAsk: (question: string) => void;
}) {
  const { view } = props;
  const running = view.status === 'running' || view.status === 'queued';
  const result = view.status === 'completed' ? view.result : null;
  // The stored answer is the reviewed one; the streamed text is shown until it arrives.
  const answer = result?.answer ?? view.answer?.text ?? '';
  const steps = view.timeline.length;
  return (
    <>
      {running && steps > 0 && <StageTimeline view={view} />}
      {/* Once the stream is over: a card that says how it ended from the run's record may
          still be replaying its events. */}
      {!running && !view.live && steps > 0 && (
        <details className="stages-done">
          <summary>
            How I got there ({steps} {steps === 1 ? 'step' : 'steps'})
          </summary>
          <StageTimeline view={view} />
        </details>
      )}
      {answer && (running || result) && (
        // Until the renderer has loaded, the answer is shown as the text it is.
        <Suspense fallback={<p className="answer-text answer-raw">{answer}</p>}>
          <Answer markdown={answer} streaming={!result} />
        </Suspense>
      )}
      {result && <Reading result={result} />}
      {result?.sql && <SqlFold sql={result.sql} label="SQL that ran" />}
      {result && <ResultView runId={props.runId} result={result} summary={false} />}
      {view.status === 'failed' && view.error && isRefusal(view.error) && (
        <Refusal error={view.error} onAsk={props.onAsk} />
      )}
      {view.status === 'failed' && view.error && !isRefusal(view.error) && (
        <>
          <ErrorBox error={view.error} />
          {view.error.details?.sql && (
            <SqlFold sql={view.error.details.sql} label="The last query tried" />
          )}
        </>
      )}
    </>
  );
}
