// The scheduler never strands a run: one queued at any moment relative to a pass that is ending
// (here: the pass a finishing run starts) is started by that pass or the next.
import { expect, it } from 'vitest';
import { MemoryRunQueue } from './memory-queue.ts';
import { Scheduler } from './scheduler.ts';

/** `n` turns of the microtask queue. */
async function hops(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await Promise.resolve();
}

function scheduler(runFor: number, executed: string[]) {
  return new Scheduler({
    queue: new MemoryRunQueue(),
    concurrency: 1,
    async execute(entry) {
      await hops(runFor);
      executed.push(entry.runId);
      return true;
    },
    announce: async () => {},
    endExpired: async () => true,
    log: (message, err) => {
      throw new Error(`${message}: ${String(err)}`);
    },
  });
}

it('starts a run queued at any step of the pass before it, with nothing else to come', async () => {
  const stranded: string[] = [];
  for (let runFor = 0; runFor < 6; runFor++) {
    for (let after = 0; after < 40; after++) {
      const executed: string[] = [];
      const s = scheduler(runFor, executed);
      const first = s.enqueue({ runId: 'a', userId: 'u', conversationId: 'c' });
      await hops(after);
      await s.enqueue({ runId: 'b', userId: 'u', conversationId: 'c' });
      await first;
      // Waits for what is running to end; a stranded run is still queued after that.
      await expect.poll(() => executed.includes('a')).toBe(true);
      await expect.poll(async () => (await s.stats()).running).toBe(0);
      await s.settled();
      if ((await s.stats()).queued > 0) stranded.push(`run ${runFor}, queued ${after} steps in`);
      else expect(executed).toEqual(['a', 'b']);
    }
  }
  expect(stranded).toEqual([]);
});
