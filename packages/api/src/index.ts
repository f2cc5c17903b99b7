import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from './root.ts';

export {
  type Connection,
  type Context,
  createContextFactory,
  LOCAL_USER_ID,
  type Services,
  type SocketHandle,
} from './context.ts';
export { ConflictError, NotFoundError } from './errors.ts';
export { type AppRouter, appRouter } from './root.ts';
export { createMemoryBus, type EventBus } from './services/bus.ts';
export { type CreateServicesOptions, createServices } from './services/index.ts';
export {
  defaultStreamLimits,
  type StreamLimits,
  type StreamStats,
} from './services/pacing.ts';
export { type RunLimits, RunService } from './services/run-service.ts';
export { transformer } from './transformer.ts';
export { createCallerFactory } from './trpc.ts';

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
type Yielded<T> = T extends AsyncIterable<infer U> ? U : never;
/** One run event exactly as a subscriber receives it (`data` of the tracked envelope). */
export type RunEventOutput = Yielded<RouterOutputs['runs']['events']>['data'];
