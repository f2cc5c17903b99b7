// The closed sets of a run, as plain tuples and predicates with no zod: a browser bundle that
// only asks "is this run over?" does not pull in the schemas. `run.ts` builds its enums on these.

/**
 * Every stage a run can report, in pipeline order. SQL runs go plan → validate → execute →
 * interpret → finalize; question runs go understand → generate → validate → execute →
 * interpret → review → finalize.
 */
export const stages = [
  'understand',
  'plan',
  'generate',
  'validate',
  'execute',
  'interpret',
  'review',
  'finalize',
] as const;

/** Which pipeline answers a run: SQL as written, or a question in plain words. */
export const runKinds = ['sql', 'question'] as const;
export type RunKind = (typeof runKinds)[number];

export const runStatuses = [
  'queued',
  'running',
  'completed',
  'failed',
  'cancelled',
  'interrupted',
] as const;
type RunStatus = (typeof runStatuses)[number];

/** Statuses a run never leaves. */
export const terminalStatuses: ReadonlySet<RunStatus> = new Set([
  'completed',
  'failed',
  'cancelled',
  'interrupted',
]);
export const isTerminalStatus = (status: RunStatus): boolean => terminalStatuses.has(status);

export const runEventTypes = [
  'started',
  'stage',
  'queued',
  'plan',
  'rows',
  'retry',
  'answer',
  'completed',
  'failed',
  'cancelled',
] as const;
export type RunEventType = (typeof runEventTypes)[number];

/** Event types that end a run: after one of these a run has no further event. */
export const terminalEventTypes: ReadonlySet<RunEventType> = new Set([
  'completed',
  'failed',
  'cancelled',
]);
export const isTerminalEvent = (event: { type: RunEventType }): boolean =>
  terminalEventTypes.has(event.type);

/** How a person chose to chart a result; `none` hides the chart but keeps the columns chosen. */
export const chartTypes = ['bar', 'line', 'area', 'scatter', 'none'] as const;
export type ChartType = (typeof chartTypes)[number];

/** Measures one chart plots at most. */
export const MAX_CHART_MEASURES = 6;
