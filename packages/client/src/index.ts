// @querylane/client: a typed Querylane client for TypeScript apps in Node and the browser.
// Types come from the router (`import type` only); the runtime imports are the
// transformer and the contract's predicates.

export { isTerminalEvent, isTerminalStatus } from '@querylane/contracts';
export {
  type ConnectionState,
  createQuerylaneClient,
  type EventsOptions,
  type QuerylaneClient,
  type QuerylaneClientOptions,
  type RunOptions,
  type WebSocketConstructor,
} from './client.ts';
export { QuerylaneRunError, type RunEndCode } from './errors.ts';
export type * from './types.ts';
export { type Endpoints, endpointUrls, reconnectDelayMs } from './urls.ts';
