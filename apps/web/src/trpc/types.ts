// The shapes the SPA renders, all derived from the router's inferred outputs so a change on the
// server shows up here as a type error rather than as a silently wrong screen.
import type { RouterInputs, RouterOutputs } from '@querylane/api';

type Yielded<T> = T extends AsyncIterable<infer U> ? U : never;
// The router's output type already presents `tracked(id, event)` as the client sees it.
type Untracked<T> = T extends { id: string; data: infer D } ? D : T;

/** One event of a run, as the `runs.events` subscription yields it (inside `tracked`). */
export type RunEvent = Untracked<Yielded<RouterOutputs['runs']['events']>>;
export type RunEventType = RunEvent['type'];
export type EventOf<T extends RunEventType> = Extract<RunEvent, { type: T }>;

export type Run = RouterOutputs['runs']['byId'];
export type RunStatus = Run['status'];
export type RunResult = EventOf<'completed'>['result'];
export type RunError = EventOf<'failed'>['error'];
export type PlanStep = EventOf<'plan'>['steps'][number];
export type Stage = EventOf<'stage'>['stage'];
export type ResultChart = NonNullable<RunResult['chart']>;
export type ColumnProfile = RunResult['profile'][number];

export type ConversationSummary = RouterOutputs['conversations']['list']['items'][number];
export type Conversation = RouterOutputs['conversations']['byId'];
export type Message = Conversation['messages'][number];

export type Dataset = RouterOutputs['datasets']['list'][number];
export type DatasetSchema = RouterOutputs['datasets']['schema'];

export type StartRunInput = RouterInputs['runs']['start'];

export type Notice = Untracked<Yielded<RouterOutputs['notices']>>;
export type AdminMetrics = RouterOutputs['admin']['metrics'];
export type AdminConnection = RouterOutputs['admin']['connections'][number];
export type AuditEntry = RouterOutputs['admin']['audit']['items'][number];
export type Suggestion = RouterOutputs['datasets']['suggest'][number];
