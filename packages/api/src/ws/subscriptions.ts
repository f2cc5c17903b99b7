// The two kinds of subscription a session runs: driven by push (each item goes out as the frame
// tRPC would send for the same tracked item, built from this subscription's prefix and the item's
// bytes, made once per item), or pulled from an async iterable the way tRPC's adapter does.
import { getTRPCErrorFromUnknown, type TRPCError } from '@trpc/server';
import { type PushHandle, type PushSink, type PushSource, pushStream } from './push.ts';

export type Id = string | number | null;
export type JsonRpc = '2.0' | undefined;

/** What a push subscription needs of its socket's session. */
export interface SessionPort {
  send(data: string): void;
  respondData(id: Id, jsonrpc: JsonRpc, value: unknown): void;
  itemTail(itemId: string, data: unknown): string;
  forget(id: Id): void;
  respondStopped(id: Id, jsonrpc: JsonRpc): void;
  fail(id: Id, jsonrpc: JsonRpc, cause: unknown, path: string, input: unknown): void;
}

export class PushSubscription implements PushSink<unknown> {
  readonly #prefix: string;
  #handle: PushHandle | undefined;
  #over = false;

  constructor(
    private readonly session: SessionPort,
    private readonly id: Id,
    private readonly jsonrpc: JsonRpc,
    private readonly path: string,
  ) {
    const rpc = jsonrpc === undefined ? '' : `,"jsonrpc":${JSON.stringify(jsonrpc)}`;
    this.#prefix = `{"id":${JSON.stringify(id)}${rpc},"result":{"type":"data","data":`;
  }

  attach(source: PushSource<unknown>): void {
    try {
      const handle = source[pushStream](this);
      if (this.#over) handle.stop();
      else this.#handle = handle;
    } catch (cause) {
      this.fail(cause);
    }
  }

  item(itemId: string, data: unknown): void {
    if (this.#over) return;
    this.session.send(this.#prefix + this.session.itemTail(itemId, data));
  }

  end(): void {
    if (this.#finish()) this.session.respondStopped(this.id, this.jsonrpc);
  }

  fail(cause: unknown): void {
    if (!this.#finish()) return;
    // The input is not kept for a rare failure of a long-lived stream: its error goes without it.
    this.session.fail(this.id, this.jsonrpc, cause, this.path, undefined);
    this.session.respondStopped(this.id, this.jsonrpc);
  }

  /** The client asked, or the socket closed: tRPC answers `stopped` here too. */
  stop(): void {
    const handle = this.#handle;
    if (!this.#finish()) return;
    handle?.stop();
    this.session.respondStopped(this.id, this.jsonrpc);
  }

  #finish(): boolean {
    if (this.#over) return false;
    this.#over = true;
    this.session.forget(this.id);
    return true;
  }
}

/** The general path, for subscriptions that only pull: tRPC's loop, one race per item. */
export async function pull(
  session: SessionPort,
  id: Id,
  jsonrpc: JsonRpc,
  path: string,
  input: unknown,
  iterable: AsyncIterable<unknown>,
  abort: AbortController,
): Promise<void> {
  const iterator = iterable[Symbol.asyncIterator]();
  let wake: ((value: 'abort') => void) | undefined;
  abort.signal.onabort = () => wake?.('abort');
  try {
    for (;;) {
      const next = await new Promise<IteratorResult<unknown> | TRPCError | 'abort'>((resolve) => {
        wake = resolve;
        if (abort.signal.aborted) return resolve('abort');
        iterator.next().then(resolve, (cause: unknown) => resolve(getTRPCErrorFromUnknown(cause)));
      });
      wake = undefined;
      if (next === 'abort') {
        await iterator.return?.();
        break;
      }
      if (next instanceof Error) {
        session.fail(id, jsonrpc, next, path, input);
        break;
      }
      if (next.done) break;
      session.respondData(id, jsonrpc, next.value);
    }
    session.respondStopped(id, jsonrpc);
    session.forget(id);
  } finally {
    await iterator.return?.();
  }
}
