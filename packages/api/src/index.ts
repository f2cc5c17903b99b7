import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from './root.ts';

export { transformer } from '@querylane/contracts/transformer';
export {
  type AuthFailure,
  type AuthMode,
  authModes,
  type Connection,
  type ConnectionDirectory,
  type Context,
  createContextFactory,
  type Identity,
  LOCAL_IDENTITY,
  LOCAL_USER_ID,
  type Role,
  roles,
  type Services,
  type SocketHandle,
} from './context.ts';
export { ConflictError, NotFoundError, RateLimitedError } from './errors.ts';
export { countedOnConnection } from './guards.ts';
export { type AppRouter, appRouter } from './root.ts';
export { type Actor, type AuditInput, AuditLog } from './services/audit.ts';
export { createMemoryBus, type EventBus } from './services/bus.ts';
export { type CreateServicesOptions, createServices } from './services/index.ts';
export { type Clock, RateMeter, TokenBucket, TokenBuckets } from './services/limits.ts';
export { type Notice, NoticeBoard } from './services/notices.ts';
export {
  defaultStreamLimits,
  type StreamLimits,
  type StreamStats,
} from './services/pacing.ts';
export { type RunLimits, RunRecorder, RunService } from './services/run-service.ts';
export { createCallerFactory } from './trpc.ts';

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
type Yielded<T> = T extends AsyncIterable<infer U> ? U : never;
/** One run event exactly as a subscriber receives it (`data` of the tracked envelope). */
export type RunEventOutput = Yielded<RouterOutputs['runs']['events']>['data'];
