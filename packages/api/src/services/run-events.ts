// What `runs.events` returns: a run's events as tracked items, either pushed straight to the
// WebSocket handler (the live path: no promise per event, bytes made once per event for every
// subscriber, paced by PacedSink) or pulled as an async iterable of `tracked` items (in-process
// callers, and any other transport). Both take one of the connection's subscription slots and
// give it back once, however the stream ends. Over the wire a result goes out as the store wrote
// it: replays read it as stored, and a live `completed` event carries the text it was stored as.
import type { RunEvent } from '@querylane/contracts';
import { Encoded } from '@querylane/contracts/transformer';
import type { ReadOptions } from '@querylane/runs';
import { type TrackedEnvelope, tracked } from '@trpc/server';
import type { Context } from '../context.ts';
import { type PushHandle, type PushSink, type PushSource, pushStream } from '../ws/push.ts';
import { PacedSink } from './paced-sink.ts';

/** One wire form per event object, so every subscriber sends (and caches) the same object. */
const wireForms = new WeakMap<RunEvent, RunEvent>();

/**
 * For a socket, a `completed` event whose result the store already encoded carries that text:
 * every watcher of a run gets its result without encoding it again.
 */
export function forWire(event: RunEvent): RunEvent {
  if (event.type !== 'completed') return event;
  const known = wireForms.get(event);
  if (known) return known;
  const stored = Encoded.known(event.result);
  const wire = stored ? { ...event, result: stored.asValue() } : event;
  wireForms.set(event, wire);
  return wire;
}

/** No known events: one shared array, not one per idle subscriber. */
const NONE: readonly RunEvent[] = Object.freeze([]);

/** Replays over the wire send a stored result on as stored: never decoded and encoded again. */
const STORED: ReadOptions = { storedResults: true };

export class RunEventStream
  implements PushSource<RunEvent>, AsyncIterable<TrackedEnvelope<RunEvent>>
{
  #released = false;
  /** Only the pull side needs it; dropped once the stream is pushed. */
  #signal: AbortSignal | undefined;

  /** Only what it uses of the call's context (which is a copy per call, and larger). */
  private readonly ctx: Pick<Context, 'services' | 'connection'>;

  constructor(
    ctx: Pick<Context, 'services' | 'connection'>,
    private readonly runId: string,
    private readonly afterSeq: number,
    signal: AbortSignal | undefined,
    /** Events after `afterSeq` the caller knows are stored (it just committed them), in order. */
    private readonly known: readonly RunEvent[] = NONE,
  ) {
    this.ctx = { services: ctx.services, connection: ctx.connection };
    this.#signal = signal;
    if (ctx.connection) ctx.connection.subscriptions += 1;
  }

  [pushStream](sink: PushSink<RunEvent>): PushHandle {
    this.#signal = undefined;
    const { services, connection } = this.ctx;
    const wire = connection !== null;
    const paced = new PacedSink(
      sink,
      connection?.socket ?? null,
      services.streamLimits,
      services.streamStats,
      this,
      wire ? forWire : undefined,
    );
    if (this.#released) {
      paced.end();
      return paced;
    }
    paced.startInTurn(() => {
      let after = this.afterSeq;
      for (const event of this.#known()) {
        paced.event(event);
        after = event.seq;
      }
      paced.following = services.runs.follow(this.runId, after, paced, wire ? STORED : undefined);
    });
    return paced;
  }

  [Symbol.asyncIterator](): AsyncIterator<TrackedEnvelope<RunEvent>> {
    const events = this.#pull();
    return {
      next: () => events.next(),
      // Also when the stream was never started: its slot goes back all the same.
      return: (value?: unknown) => {
        this.release();
        return events.return(value as undefined);
      },
    };
  }

  async *#pull(): AsyncGenerator<TrackedEnvelope<RunEvent>, undefined> {
    if (this.#released) return;
    try {
      // Pulled as fast as the caller reads: a socket is paced by push, an in-process caller has
      // nothing to pace for.
      const wire = this.ctx.connection !== null;
      let after = this.afterSeq;
      for (const event of this.#known()) {
        yield tracked(String(event.seq), wire ? forWire(event) : event);
        after = event.seq;
      }
      const events = this.ctx.services.runs.stream(
        this.runId,
        after,
        this.#signal,
        wire ? STORED : undefined,
      );
      for await (const event of events) {
        yield tracked(String(event.seq), wire ? forWire(event) : event);
      }
    } finally {
      this.release();
    }
  }

  /** The known events that continue from `afterSeq` with no gap. */
  #known(): RunEvent[] {
    const out: RunEvent[] = [];
    for (const event of this.known) {
      if (event.seq !== this.afterSeq + out.length + 1) break;
      out.push(event);
    }
    return out;
  }

  /** Gives the connection's slot back, once. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    if (this.ctx.connection) this.ctx.connection.subscriptions -= 1;
  }
}
