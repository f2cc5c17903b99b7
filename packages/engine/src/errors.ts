// The pipeline's domain errors are the run lifecycle's (packages/runs); re-exported for callers
// of the engine that throw or catch them.
export { abortReason, QueryError, RunCancelledError, toRunError } from '@querylane/runs';
