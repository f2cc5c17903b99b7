// @querylane/api: the tRPC router (thin procedures over the run and conversation services), its
// context, and the services one server process runs on.
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from './root.ts';

export {
  type Context,
  createContextFactory,
  type DatasetCatalog,
  type Restarter,
  type Services,
} from './context.ts';
export {
  describeService,
  endpoints,
  type ServiceDiscovery,
  type TransportLimits,
} from './discovery.ts';
export { RateLimitedError } from './errors.ts';
export { countedOnConnection } from './guards.ts';
export {
  type AuthFailure,
  type AuthMode,
  authModes,
  type Identity,
  LOCAL_IDENTITY,
  LOCAL_USER_ID,
  type Role,
  roles,
} from './identity.ts';
export { type AppRouter, appRouter } from './root.ts';
export { ActivityFeed, type ActivityItem } from './services/activity.ts';
export { type Actor, type AuditInput, AuditLog } from './services/audit.ts';
export {
  type CreateServicesOptions,
  createServices,
  type ServicesConfig,
} from './services/index.ts';
export { type Clock, RateMeter, TokenBucket, TokenBuckets } from './services/limits.ts';
export {
  type ConnectionView,
  clusterFigures,
  NodeDirectory,
  NodeStatus,
  type NodeView,
  RedisView,
} from './services/nodes.ts';
export { type Notice, NoticeBoard } from './services/notices.ts';
export type {
  Connection,
  ConnectionDirectory,
  SocketHandle,
  StreamLimits,
  StreamStats,
} from './transport.ts';
export { createCallerFactory } from './trpc.ts';
export {
  applyWsHandler,
  type SocketHooks,
  type WsHandler,
  type WsHandlerOptions,
} from './ws/handler.ts';

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
type Yielded<T> = T extends AsyncIterable<infer U> ? U : never;
/** One run event exactly as a subscriber receives it (`data` of the tracked envelope). */
export type RunEventOutput = Yielded<RouterOutputs['runs']['events']>['data'];
/** One item of `rooms.events`: a stored room event, or who is present and typing. */
export type RoomStreamOutput = Yielded<RouterOutputs['rooms']['events']>['data'];
/** One item of `admin.activity`: what happened, or the figures now. */
export type ActivityOutput = Yielded<RouterOutputs['admin']['activity']>['data'];
