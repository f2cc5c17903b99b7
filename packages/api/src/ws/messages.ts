// The parts of tRPC's WebSocket protocol that are plain functions: a data frame's result, the
// text decoder, and the shape checks of what a procedure returned.
import { isTrackedEnvelope } from '@trpc/server';

export function dataResult(value: unknown) {
  if (!isTrackedEnvelope(value)) return { type: 'data', data: value };
  const [id, data] = value;
  return { type: 'data', data: { id, data }, id };
}

/** Releases a stream that will never be started. */
export function stopSource(result: unknown, controller: AbortController | undefined): void {
  controller?.abort();
  if (isAsyncIterable(result)) void result[Symbol.asyncIterator]().return?.();
}

export function decode(data: string | Buffer): unknown {
  if (typeof data !== 'string') {
    throw new Error(
      'jsonEncoder received binary data. JSON uses text frames. Use a binary encoder for binary data.',
    );
  }
  return JSON.parse(data);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return !!value && !Array.isArray(value) && typeof value === 'object';
}

export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return isObject(value) && Symbol.asyncIterator in value;
}
