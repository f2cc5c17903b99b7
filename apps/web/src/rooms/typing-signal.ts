// When to tell a room that someone is composing: a start on the first keystroke and then at most
// once per TYPING_INTERVAL_MS while keystrokes keep coming, a stop once they pause for
// IDLE_MS, send, or leave the box. The server refuses starts that come faster.
import { TYPING_INTERVAL_MS } from '@querylane/contracts';

/** A pause this long counts as having stopped. */
export const IDLE_MS = 3_000;

export interface TypingClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: TypingClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class TypingSignal {
  #active = false;
  #lastStart = Number.NEGATIVE_INFINITY;
  #idle: unknown;

  constructor(
    private readonly send: (typing: boolean) => void,
    private readonly clock: TypingClock = realClock,
  ) {}

  /** A keystroke that changed the text. */
  keystroke(): void {
    const now = this.clock.now();
    if (!this.#active || now - this.#lastStart >= TYPING_INTERVAL_MS) {
      this.#active = true;
      this.#lastStart = now;
      this.send(true);
    }
    this.clock.clearTimeout(this.#idle);
    this.#idle = this.clock.setTimeout(() => this.stop(), IDLE_MS);
  }

  /** Sent, emptied, left: stop at once (nothing is sent if nothing was started). */
  stop(): void {
    this.clock.clearTimeout(this.#idle);
    this.#idle = undefined;
    if (!this.#active) return;
    this.#active = false;
    this.send(false);
  }
}
