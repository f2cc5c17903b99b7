// Subscriptions on one socket start one after another: each once the last one's first event went
// out, or its replay found nothing to send (or after TURN_MS, whatever holds it up). A frame of a
// hundred replays of a big result would otherwise read and encode all of them in one go, before
// the first send shows that the client is not reading; this way the socket's backlog (and its
// hard bound, and its close) is seen between any two of them. Sends are pushed and the bound is
// checked inside each send, so the next one may start in a microtask: a hundred small replays
// are not spread over a hundred turns of the event loop. Nothing is kept for a socket whose
// subscriptions have all started.

/** A subscription may wait at most this long for its first event before the next one starts. */
export const TURN_MS = 50;

/** Starts waiting for their socket's turn, in order; present only while one holds the turn. */
const waiting = new WeakMap<object, (() => void)[]>();

/** One subscription's place in its socket's line. `pass` is idempotent. */
export class Turn {
  #holding = false;
  #passed = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly socket: object) {}

  /**
   * Runs `go` when this turn comes: at once when no other subscription of the socket is
   * starting, else after the one before it passed. The turn is then held until `pass`.
   */
  take(go: () => void): void {
    const line = waiting.get(this.socket);
    if (line) {
      line.push(() => this.#begin(go));
      return;
    }
    waiting.set(this.socket, []);
    this.#begin(go);
  }

  /** This subscription's first event went out, or it ended: the next one may start. */
  pass(): void {
    if (this.#passed) return;
    this.#passed = true;
    if (!this.#holding) return; // passed before its turn came: `#begin` hands it on
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const line = waiting.get(this.socket);
    const next = line?.shift();
    if (next === undefined) {
      waiting.delete(this.socket);
      return;
    }
    queueMicrotask(next);
  }

  #begin(go: () => void): void {
    this.#holding = true;
    if (this.#passed) {
      // Stopped while it waited: it starts nothing, and the next one goes.
      this.#passed = false;
      this.pass();
      return;
    }
    this.#timer = setTimeout(() => this.pass(), TURN_MS);
    go();
  }
}
