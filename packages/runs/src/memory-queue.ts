// The in-process run queue: waiting runs in per-user FIFOs served round-robin. The default for
// one server process; a cluster uses a SQL queue with leases behind the same port.
import { FairQueue } from './fair-queue.ts';
import type { QueueEntry, QueueSignal, RunQueue } from './ports.ts';

export class MemoryRunQueue implements RunQueue {
  readonly #queue = new FairQueue<QueueEntry>();
  /** Runs waiting in `#queue`, so that enqueueing one twice keeps its place. */
  readonly #inLine = new Set<string>();
  /** Runs claimed and not yet released: this process holds them until it ends. */
  readonly #held = new Set<string>();
  readonly shared = false;

  async enqueue(entry: QueueEntry): Promise<void> {
    if (this.#held.has(entry.runId) || this.#inLine.has(entry.runId)) return;
    this.#inLine.add(entry.runId);
    this.#queue.push(entry);
  }

  async claim(n: number): Promise<QueueEntry[]> {
    const out: QueueEntry[] = [];
    while (out.length < n) {
      const next = this.#queue.shift();
      if (!next) break;
      this.#inLine.delete(next.runId);
      this.#held.add(next.runId);
      out.push(next);
    }
    return out;
  }

  async remove(match: { runId: string } | { conversationId: string }): Promise<QueueEntry[]> {
    const removed = this.#queue.remove((entry) =>
      'runId' in match
        ? entry.runId === match.runId
        : entry.conversationId === match.conversationId,
    );
    for (const entry of removed) this.#inLine.delete(entry.runId);
    return removed;
  }

  async release(runId: string): Promise<void> {
    this.#held.delete(runId);
  }

  async waiting(): Promise<QueueEntry[]> {
    return this.#queue.order();
  }

  // One process: its leases never lapse, and nobody else could take its runs over.
  async renew(runIds: readonly string[]): Promise<string[]> {
    return runIds.filter((id) => !this.#held.has(id));
  }

  async expired(_limit: number): Promise<QueueEntry[]> {
    return [];
  }

  // Nothing is held anywhere else: a run held here is aborted by this process's scheduler.
  async abort(): Promise<string[]> {
    return [];
  }

  watch(_listener: (signal: QueueSignal) => void): () => void {
    return () => {};
  }

  async announces(): Promise<boolean> {
    return true;
  }
}
