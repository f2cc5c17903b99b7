// The in-process run queue: waiting runs in per-user FIFOs served round-robin. The default for
// one server process; a cluster uses a SQL queue with leases behind the same port.
import { FairQueue } from './fair-queue.ts';
import type { QueueEntry, RunQueue } from './ports.ts';

export class MemoryRunQueue implements RunQueue {
  readonly #queue = new FairQueue<QueueEntry>();

  async enqueue(entry: QueueEntry): Promise<void> {
    this.#queue.push(entry);
  }

  async claim(n: number): Promise<QueueEntry[]> {
    const out: QueueEntry[] = [];
    while (out.length < n) {
      const next = this.#queue.shift();
      if (!next) break;
      out.push(next);
    }
    return out;
  }

  async remove(match: { runId: string } | { conversationId: string }): Promise<QueueEntry[]> {
    return this.#queue.remove((entry) =>
      'runId' in match
        ? entry.runId === match.runId
        : entry.conversationId === match.conversationId,
    );
  }

  // Nothing is leased in one process: a claimed run leaves the queue for good.
  async release(_runId: string): Promise<void> {}

  async waiting(): Promise<QueueEntry[]> {
    return this.#queue.order();
  }
}
