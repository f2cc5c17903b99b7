// The contract every run queue must keep (in-process now; PostgreSQL with leases next): fair
// turns across users, oldest first within one, and waiting runs that can be taken out.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { QueueEntry, RunQueue } from '../ports.ts';

const entry = (userId: string, n: number, conversationId = `c-${userId}`): QueueEntry => ({
  runId: `${userId}${n}`,
  userId,
  conversationId,
});

export function describeRunQueue(
  name: string,
  open: () => Promise<{ queue: RunQueue; close(): Promise<void> }>,
) {
  describe(`run queue contract: ${name}`, () => {
    let fx: { queue: RunQueue; close(): Promise<void> };
    beforeEach(async () => {
      fx = await open();
    });
    afterEach(async () => {
      await fx.close();
    });
    const ids = (entries: QueueEntry[]) => entries.map((e) => e.runId);

    it('hands runs out round-robin across users, oldest first within a user', async () => {
      for (const e of [entry('a', 1), entry('a', 2), entry('a', 3), entry('b', 1), entry('c', 1)]) {
        await fx.queue.enqueue(e);
      }
      expect(ids(await fx.queue.waiting())).toEqual(['a1', 'b1', 'c1', 'a2', 'a3']);
      expect(ids(await fx.queue.claim(2))).toEqual(['a1', 'b1']);
      await fx.queue.enqueue(entry('b', 2));
      expect(ids(await fx.queue.waiting())).toEqual(['c1', 'a2', 'b2', 'a3']);
      expect(ids(await fx.queue.claim(10))).toEqual(['c1', 'a2', 'b2', 'a3']);
      expect(await fx.queue.claim(1)).toEqual([]);
      for (const id of ['a1', 'b1']) await fx.queue.release(id);
    });

    it('takes waiting runs out by run or by conversation, and the rest move up', async () => {
      for (const e of [entry('a', 1, 'x'), entry('a', 2, 'y'), entry('b', 1, 'x'), entry('b', 2)]) {
        await fx.queue.enqueue(e);
      }
      expect(ids(await fx.queue.remove({ runId: 'a1' }))).toEqual(['a1']);
      expect(ids(await fx.queue.remove({ runId: 'a1' }))).toEqual([]);
      expect(ids(await fx.queue.remove({ conversationId: 'x' }))).toEqual(['b1']);
      expect(ids(await fx.queue.waiting())).toEqual(['a2', 'b2']);
      expect(await fx.queue.claim(5)).toEqual([entry('a', 2, 'y'), entry('b', 2)]);
    });
  });
}
