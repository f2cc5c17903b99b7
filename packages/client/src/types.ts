// Every shape a client sees, derived from the router's inferred inputs and outputs: a change on
// the server shows up in consumers as a type error, never as a silently wrong value.
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from './router.ts';

export type { AppRouter } from './router.ts';
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

type Yielded<T> = T extends AsyncIterable<infer U> ? U : never;
/** One event of a run, exactly as the `runs.events` subscription yields it (inside `tracked`). */
export type RunEvent = Yielded<RouterOutputs['runs']['events']>['data'];
export type RunEventType = RunEvent['type'];
export type EventOf<T extends RunEventType> = Extract<RunEvent, { type: T }>;

/** What a completed run produced. */
export type Result = EventOf<'completed'>['result'];
/** Why a run failed, as its `failed` event carries it. */
export type RunFailure = EventOf<'failed'>['error'];
export type RunErrorCode = RunFailure['code'];

export type Run = RouterOutputs['runs']['byId'];
export type RunSummary = RouterOutputs['runs']['list']['items'][number];
export type RunStatus = Run['status'];
export type Dataset = RouterOutputs['datasets']['list'][number];
export type StartRunInput = RouterInputs['runs']['start'];
/** What a server says about itself before a client connects (`meta.config`). */
export type ServiceDiscovery = RouterOutputs['meta']['config'];
