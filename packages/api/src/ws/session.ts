// One WebSocket's side of tRPC's protocol: its context, its requests and its subscriptions.
// Each branch answers with the frames tRPC's adapter sends in the same case, in the same order.
import type { IncomingMessage } from 'node:http';
import {
  type AnyRouter,
  getTRPCErrorFromUnknown,
  type inferRouterContext,
  type ProcedureType,
  TRPCError,
} from '@trpc/server';
import { parseConnectionParamsFromUnknown, type TRPCRequestInfo } from '@trpc/server/http';
import { parseTRPCMessage } from '@trpc/server/rpc';
import type { WebSocket } from 'ws';
import type { HandlerContext } from './handler.ts';
import { dataResult, decode, isAsyncIterable, isObject, stopSource } from './messages.ts';
import { isPushSource } from './push.ts';
import { type Id, type JsonRpc, PushSubscription, pull } from './subscriptions.ts';

const OPEN = 1;
type CtxResult<C> = { ok: true; value: C } | { ok: false; error: TRPCError };
type Message = ReturnType<typeof parseTRPCMessage>;

/** A running subscription: stop it when the client asks or the socket closes. */
interface Subscription {
  stop(): void;
}

export class Session<TRouter extends AnyRouter> {
  ctx: inferRouterContext<TRouter> | undefined;
  /** Null until asked for; a promise while it is made; then its result. */
  #context:
    | CtxResult<inferRouterContext<TRouter>>
    | Promise<CtxResult<inferRouterContext<TRouter>>>
    | null = null;
  /** Kept only until the context exists. */
  #req: IncomingMessage | undefined;
  // Nearly every socket holds one subscription: it sits in a field, a Map only for the rest.
  #firstId: Id | undefined;
  #first: Subscription | undefined;
  #more: Map<Id, Subscription> | undefined;
  /** Keep-alive: when the client last sent anything, and when it was pinged (0: not waiting). */
  lastSeen = Date.now();
  pingedAt = 0;

  constructor(
    private readonly shared: HandlerContext<TRouter>,
    private readonly socket: WebSocket,
    req: IncomingMessage,
  ) {
    this.#req = req;
  }

  /** The context is made now, unless the client will send connectionParams first. */
  open(): void {
    const url = new URL(this.#req?.url ?? '/', 'http://localhost');
    if (url.searchParams.get('connectionParams') !== '1') {
      this.#context = this.#createContext(() => null);
    }
  }

  closed(): void {
    const first = this.#first;
    const more = this.#more;
    this.#first = undefined;
    this.#more = undefined;
    first?.stop();
    if (more) for (const sub of more.values()) sub.stop();
  }

  #subscription(id: Id): Subscription | undefined {
    return this.#first && this.#firstId === id ? this.#first : this.#more?.get(id);
  }

  #keep(id: Id, sub: Subscription): void {
    if (this.#first) {
      this.#more ??= new Map();
      this.#more.set(id, sub);
    } else {
      this.#firstId = id;
      this.#first = sub;
    }
  }

  forget(id: Id): void {
    if (this.#first && this.#firstId === id) {
      this.#first = undefined;
      this.#firstId = undefined;
    } else {
      this.#more?.delete(id);
    }
  }

  message(raw: WebSocket.RawData, isBinary: boolean): void {
    this.lastSeen = Date.now();
    this.pingedAt = 0;
    let text: string | undefined;
    if (!isBinary) {
      text = raw.toString();
      if (text === 'PONG') return;
      if (text === 'PING') {
        this.shared.send(this.socket, 'PONG');
        return;
      }
    }
    if (!Buffer.isBuffer(raw)) {
      const error = new TRPCError({
        code: 'UNPROCESSABLE_CONTENT',
        message: 'Unexpected WebSocket message format',
      });
      this.#respondError(null, undefined, error, 'unknown', undefined, undefined);
      return;
    }
    const data = text ?? raw;
    if (!this.#context) {
      this.#context = this.#createContext(() => {
        let msg: unknown;
        try {
          msg = decode(data);
          if (!isObject(msg)) throw new Error('Message was not an object');
        } catch (cause) {
          throw new TRPCError({
            code: 'PARSE_ERROR',
            message: 'Malformed TRPCConnectionParamsMessage',
            cause,
          });
        }
        return parseConnectionParamsFromUnknown(msg.data);
      });
      return;
    }
    let messages: Message[];
    try {
      const json = decode(data);
      const transformer = this.shared.opts.router._def._config.transformer;
      messages = (Array.isArray(json) ? json : [json]).map((m) => parseTRPCMessage(m, transformer));
    } catch (cause) {
      const error = new TRPCError({ code: 'PARSE_ERROR', cause });
      this.#respondError(null, undefined, error, 'unknown', undefined, undefined);
      return;
    }
    for (const [index, msg] of messages.entries()) this.#request(msg, index);
  }

  async #createContext(
    connectionParams: () => TRPCRequestInfo['connectionParams'],
  ): Promise<CtxResult<inferRouterContext<TRouter>>> {
    try {
      const req = this.#req as IncomingMessage;
      this.ctx = await this.shared.opts.createContext({
        socket: this.socket,
        req,
        connectionParams: connectionParams(),
      });
      this.#req = undefined;
      this.#context = { ok: true, value: this.ctx };
      return this.#context;
    } catch (cause) {
      const error = getTRPCErrorFromUnknown(cause);
      this.#report(error, 'unknown', undefined, undefined);
      this.#respondError(null, undefined, error, 'unknown', undefined, undefined);
      setImmediate(() => this.socket.close());
      this.#context = { ok: false, error };
      return this.#context;
    }
  }

  #request(msg: Message, batchIndex: number): void {
    const { id, jsonrpc } = msg;
    if (id === null) {
      const error = new TRPCError({ code: 'PARSE_ERROR', message: '`id` is required' });
      this.#report(error, 'unknown', undefined, undefined);
      this.#respondError(id, jsonrpc, error, 'unknown', undefined, undefined);
      return;
    }
    if (msg.method === 'subscription.stop') {
      this.#subscription(id)?.stop();
      return;
    }
    const { path, lastEventId } = msg.params;
    let { input } = msg.params;
    const type = msg.method;
    if (lastEventId !== undefined) {
      if (isObject(input)) input = { ...input, lastEventId };
      else input ??= { lastEventId };
    }
    this.#call(id, jsonrpc, type, path, input, batchIndex).catch((cause: unknown) => {
      const error = getTRPCErrorFromUnknown(cause);
      this.#report(error, type, path, input);
      this.#respondError(id, jsonrpc, error, type, path, input);
    });
  }

  async #call(
    id: Id,
    jsonrpc: JsonRpc,
    type: ProcedureType,
    path: string,
    input: unknown,
    batchIndex: number,
  ): Promise<void> {
    const ctx = await this.#context;
    if (!ctx?.ok) throw ctx?.error;
    const controller = type === 'subscription' ? new AbortController() : undefined;
    const result: unknown = await this.shared.call({
      router: this.shared.opts.router,
      path,
      getRawInput: async () => input,
      ctx: ctx.value,
      type,
      signal: controller?.signal,
      batchIndex,
    });
    const streams = isAsyncIterable(result) || isPushSource(result);
    if (type !== 'subscription') {
      if (streams) {
        throw new TRPCError({
          code: 'UNSUPPORTED_MEDIA_TYPE',
          message: `Cannot return an async iterable or observable from a ${type} procedure with WebSockets`,
        });
      }
      this.shared.respond(this.socket, { id, jsonrpc, result: { type: 'data', data: result } });
      return;
    }
    if (!streams) {
      throw new TRPCError({
        message: `Subscription ${path} did not return an observable or a AsyncGenerator`,
        code: 'INTERNAL_SERVER_ERROR',
      });
    }
    const release = () => stopSource(result, controller);
    if (this.socket.readyState !== OPEN) return release();
    if (this.#subscription(id)) {
      release();
      throw new TRPCError({ message: `Duplicate id ${id}`, code: 'BAD_REQUEST' });
    }
    if (isPushSource(result)) {
      const sub = new PushSubscription(this, id, jsonrpc, path);
      this.#keep(id, sub);
      this.shared.respond(this.socket, { id, jsonrpc, result: { type: 'started' } });
      sub.attach(result);
      return;
    }
    const abort = controller as AbortController;
    this.#keep(id, { stop: () => abort.abort() });
    const iterable = result as AsyncIterable<unknown>;
    pull(this, id, jsonrpc, path, input, iterable, abort).catch((cause: unknown) => {
      this.forget(id);
      this.fail(id, jsonrpc, cause, path, input);
      abort.abort();
    });
    this.shared.respond(this.socket, { id, jsonrpc, result: { type: 'started' } });
  }

  /** A data frame of a pulled subscription, as tRPC's adapter makes it. */
  respondData(id: Id, jsonrpc: JsonRpc, value: unknown): void {
    this.shared.respond(this.socket, { id, jsonrpc, result: dataResult(value) });
  }

  send(data: string): void {
    this.shared.send(this.socket, data);
  }

  respondStopped(id: Id, jsonrpc: JsonRpc): void {
    this.shared.respond(this.socket, { id, jsonrpc, result: { type: 'stopped' } });
  }

  itemTail(itemId: string, data: unknown): string {
    return this.shared.itemTail(itemId, data);
  }

  fail(id: Id, jsonrpc: JsonRpc, cause: unknown, path: string, input: unknown): void {
    const error = getTRPCErrorFromUnknown(cause);
    this.#report(error, 'subscription', path, input);
    this.#respondError(id, jsonrpc, error, 'subscription', path, input);
  }

  #report(error: TRPCError, type: ProcedureType | 'unknown', path?: string, input?: unknown) {
    this.shared.opts.onError?.({ error, type, path, input, ctx: this.ctx });
  }

  #respondError(
    id: Id,
    jsonrpc: JsonRpc,
    error: TRPCError,
    type: ProcedureType | 'unknown',
    path: string | undefined,
    input: unknown,
  ): void {
    const shape = this.shared.errorShape(error, type, path, input, this.ctx);
    this.shared.respond(this.socket, { id, jsonrpc, error: shape });
  }
}
