// How often a room takes "I am typing" from one person: one start per TYPING_MIN_GAP_MS per user
// and room (the client sends one per TYPING_INTERVAL_MS; the difference absorbs network jitter).
// Kept in memory and bounded: entries older than the gap hold nobody back and are forgotten.
import { TYPING_MIN_GAP_MS } from '@querylane/contracts';

const KEYS_KEPT = 10_000;

export class TypingGate {
  /** When each (room, user) last had a start taken, oldest first. */
  readonly #takenAt = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  /** Takes a start now, or says how long until one would be taken. */
  take(conversationId: string, userId: string): { ok: true } | { ok: false; retryAfterMs: number } {
    const key = `${conversationId}\n${userId}`;
    const now = this.now();
    const last = this.#takenAt.get(key);
    if (last !== undefined && now - last < TYPING_MIN_GAP_MS) {
      return { ok: false, retryAfterMs: TYPING_MIN_GAP_MS - (now - last) };
    }
    if (this.#takenAt.size >= KEYS_KEPT) this.#forget(now);
    this.#takenAt.delete(key); // re-inserted last: the map stays in order of time
    this.#takenAt.set(key, now);
    return { ok: true };
  }

  #forget(now: number): void {
    for (const [key, at] of this.#takenAt) {
      if (now - at < TYPING_MIN_GAP_MS) break;
      this.#takenAt.delete(key);
    }
  }
}
