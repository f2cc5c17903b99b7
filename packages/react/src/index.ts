// @querylane/react: React hooks over @querylane/client and TanStack Query. `useRun` follows one
// run live (resumed across reconnects), `useStartRun` starts one, `useRunsList` lists them;
// `useTRPC` reaches every other procedure with the same cache.
export {
  QuerylaneProvider,
  type QuerylaneProviderProps,
  TRPCProvider,
  useQuerylane,
  useTRPC,
  useTRPCClient,
} from './context.tsx';
export {
  type AnswerDraft,
  applyEvent,
  applyEvents,
  initialRunView,
  type PlanStep,
  type RetryNotice,
  type RunView,
  type Stage,
  type StageStep,
} from './run-state.ts';
export { type RunState, type StreamProblem, type UseRunOptions, useRun } from './use-run.ts';
export { type QuerylaneError, useRunsList, useStartRun } from './use-runs.ts';
