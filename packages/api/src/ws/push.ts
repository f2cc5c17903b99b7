// The push side of a subscription: a stream that hands each item to the WebSocket handler the
// moment it exists, instead of waiting to be pulled through a chain of promises. The handler
// serialises an item once and sends the same bytes to every subscriber of it.

/** Where a push stream delivers: items in order, then one `end` or one `fail`. */
export interface PushSink<T> {
  /** A tracked item: its id (what the client resumes from) and its data. */
  item(id: string, data: T): void;
  end(): void;
  fail(cause: unknown): void;
}

export const pushStream: unique symbol = Symbol('querylane.pushStream');

/** A running push stream: `stop` ends it (idempotent; no `end` follows). */
export interface PushHandle {
  stop(): void;
}

/**
 * A subscription result the WebSocket handler can drive by push. `data` objects are shared
 * between subscribers and never changed after they were pushed, so their serialised form can be
 * cached per object. A push source is also an async iterable (for everyone else), and the
 * handler calls its iterator's `return` to release one it never starts.
 */
export interface PushSource<T> {
  [pushStream](sink: PushSink<T>): PushHandle;
}

export function isPushSource(value: unknown): value is PushSource<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<PushSource<unknown>>)[pushStream] === 'function'
  );
}
