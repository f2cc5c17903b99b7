// What `runs.events` returns: a run's events as tracked items, either pushed straight to the
// WebSocket handler (the live path: no promise per event, bytes made once per event for every
// subscriber) or pulled as an async iterable (in-process callers). Both take one of the
// connection's subscription slots and give it back once, however the stream ends.
import type { RunEvent } from '@querylane/contracts';
import type { EventSink } from '@querylane/runs';
import { type TrackedEnvelope, tracked } from '@trpc/server';
import type { Context } from '../context.ts';
import type { SocketHandle, StreamLimits, StreamStats } from '../transport.ts';
import { type PushHandle, type PushSink, type PushSource, pushStream } from '../ws/push.ts';

const POLL_MS = 20;

// Only progress may be folded into a later event of its kind; the rest always goes out.
const isProgress = (event: RunEvent): boolean => event.type === 'stage' || event.type === 'rows';

export class RunEventStream
  implements PushSource<RunEvent>, AsyncIterable<TrackedEnvelope<RunEvent>>
{
  #released = false;
  /** Only the pull side needs it; dropped once the stream is pushed. */
  #signal: AbortSignal | undefined;

  constructor(
    private readonly ctx: Pick<Context, 'services' | 'connection'>,
    private readonly runId: string,
    private readonly afterSeq: number,
    signal: AbortSignal | undefined,
  ) {
    this.#signal = signal;
    if (ctx.connection) ctx.connection.subscriptions += 1;
  }

  [pushStream](sink: PushSink<RunEvent>): PushHandle {
    this.#signal = undefined;
    const { services, connection } = this.ctx;
    const paced = new PacedSink(
      sink,
      connection?.socket ?? null,
      services.streamLimits,
      services.streamStats,
      this,
    );
    if (this.#released) paced.end();
    else paced.following = services.runs.follow(this.runId, this.afterSeq, paced);
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
      // In-process callers pull as fast as they read: there is no socket to pace for.
      const events = this.ctx.services.runs.stream(this.runId, this.afterSeq, this.#signal);
      for await (const event of events) yield tracked(String(event.seq), event);
    } finally {
      this.release();
    }
  }

  /** Gives the connection's slot back, once. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    if (this.ctx.connection) this.ctx.connection.subscriptions -= 1;
  }
}

/**
 * Keeps a slow client bounded, by push. While the socket keeps up every event goes out at once.
 * Once more than `softBufferBytes` wait for the client, only the latest `stage` and `rows` event
 * are held back (in seq order, sent just before the next event that must go out, or when the
 * client catches up), and every `started`, `queued`, `plan`, `retry` and terminal event still
 * goes out. (The hard bound is the server's: it watches every send on the socket.)
 */
export class PacedSink implements EventSink, PushHandle {
  /** Progress held while the client is behind: at most one per type, in seq order. */
  #held: RunEvent[] | null = null;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  /** What feeds this sink, stopped with it. */
  following: { stop(): void } | undefined;

  constructor(
    private readonly out: PushSink<RunEvent>,
    private readonly socket: Pick<SocketHandle, 'bufferedAmount'> | null,
    private readonly limits: Pick<StreamLimits, 'softBufferBytes'>,
    private readonly stats: StreamStats | undefined,
    private readonly slot: { release(): void },
  ) {}

  event(event: RunEvent): void {
    const behind = this.#behind();
    if (!behind && this.#held === null) {
      this.#send(event);
      return;
    }
    if (isProgress(event)) {
      const held = this.#held ?? [];
      this.#held = held;
      const i = held.findIndex((h) => h.type === event.type);
      if (i >= 0) {
        held.splice(i, 1);
        if (this.stats) this.stats.coalesced += 1;
      }
      held.push(event);
      if (behind) this.#wait();
      else this.#flush();
      return;
    }
    this.#flush();
    this.#send(event);
  }

  end(): void {
    this.#flush();
    this.stop();
    this.out.end();
  }

  fail(cause: unknown): void {
    this.stop();
    this.out.fail(cause);
  }

  /** No more events will come: the source stops, the timer goes, the slot is given back. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.following?.stop();
    this.following = undefined;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.slot.release();
  }

  #behind(): boolean {
    return this.socket !== null && this.socket.bufferedAmount > this.limits.softBufferBytes;
  }

  #send(event: RunEvent): void {
    this.out.item(String(event.seq), event);
  }

  #flush(): void {
    const held = this.#held;
    if (held === null) return;
    this.#held = null;
    for (const event of held) this.#send(event);
  }

  /** Congested with only progress held: look again shortly, or when an event must go out. */
  #wait(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#held === null) return;
      if (this.#behind()) this.#wait();
      else this.#flush();
    }, POLL_MS);
  }
}
