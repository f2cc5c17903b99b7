// Pacing of one run-event subscription on a socket, by push. While the socket keeps up every
// event goes out at once; once more than `softBufferBytes` wait for the client, only the latest
// `stage` and `rows` event are held back (in seq order, sent just before the next event that must
// go out, or when the client catches up), and every `started`, `queued`, `plan`, `retry` and
// terminal event still goes out. The subscriptions of one socket start one after another
// (socket-turns.ts), and nothing more is prepared for a socket that is no longer open. (The hard
// bound is the server's: it watches every send on the socket.)
import type { RunEvent } from '@querylane/contracts';
import type { EventSink } from '@querylane/runs';
import type { SocketHandle, StreamLimits, StreamStats } from '../transport.ts';
import type { PushHandle, PushSink } from '../ws/push.ts';
import { Turn } from './socket-turns.ts';

const POLL_MS = 20;
const OPEN = 1;

// Only progress may be folded into a later event of its kind; the rest always goes out.
const isProgress = (event: RunEvent): boolean => event.type === 'stage' || event.type === 'rows';

export type PacedSocket = Pick<SocketHandle, 'bufferedAmount' | 'readyState'>;

export class PacedSink implements EventSink, PushHandle {
  /** Progress held while the client is behind: at most one per type, in seq order. */
  #held: RunEvent[] | null = null;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  /** This subscription's place among its socket's starts, until its first event went out. */
  #turn: Turn | undefined;
  /** What feeds this sink, stopped with it. */
  following: { stop(): void } | undefined;

  constructor(
    private readonly out: PushSink<RunEvent>,
    private readonly socket: PacedSocket | null,
    private readonly limits: Pick<StreamLimits, 'softBufferBytes'>,
    private readonly stats: StreamStats | undefined,
    private readonly slot: { release(): void },
    /** What each event becomes on its way out (the same object for every subscriber). */
    private readonly wire: (event: RunEvent) => RunEvent = (event) => event,
  ) {}

  /**
   * Calls `start` (which begins feeding this sink) when the socket's turn comes; at once for a
   * sink with no socket. A socket closed meanwhile gets nothing more: the stream just ends.
   */
  startInTurn(start: () => void): void {
    const { socket } = this;
    if (socket === null) {
      start();
      return;
    }
    this.#turn = new Turn(socket);
    this.#turn.take(() => {
      if (this.#stopped) return;
      if (this.#gone()) this.end();
      else start();
    });
  }

  event(event: RunEvent): void {
    if (this.#stopped) return;
    if (this.#gone()) {
      this.end();
      return;
    }
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

  /** The replay is over: a subscription waiting on live events lets the next one start. */
  caughtUp(): void {
    this.#passTurn();
  }

  end(): void {
    if (this.#stopped) return;
    if (!this.#gone()) this.#flush();
    this.stop();
    this.out.end();
  }

  fail(cause: unknown): void {
    if (this.#stopped) return;
    this.stop();
    this.out.fail(cause);
  }

  /** No more events will come: the source stops, the timer goes, the turn and slot are given back. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.following?.stop();
    this.following = undefined;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#passTurn();
    this.slot.release();
  }

  #gone(): boolean {
    return this.socket !== null && this.socket.readyState !== OPEN;
  }

  #behind(): boolean {
    return this.socket !== null && this.socket.bufferedAmount > this.limits.softBufferBytes;
  }

  #send(event: RunEvent): void {
    this.out.item(String(event.seq), this.wire(event));
    this.#passTurn();
  }

  #passTurn(): void {
    const turn = this.#turn;
    if (turn === undefined) return;
    this.#turn = undefined;
    turn.pass();
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
      if (this.#held === null || this.#stopped) return;
      if (this.#gone()) this.end();
      else if (this.#behind()) this.#wait();
      else this.#flush();
    }, POLL_MS);
  }
}
