// The contract every run queue must keep: fair turns across users, oldest first within one,
// waiting runs that can be taken out, claims held until released. A queue shared by several
// nodes (PostgreSQL) also keeps `describeSharedRunQueue`: no run held by two nodes, leases that
// lapse to exactly one taker, signals between nodes, one announcer at a time.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { QueueEntry, QueueSignal, RunQueue } from '../ports.ts';

export const queueEntry = (
  userId: string,
  n: number,
  conversationId = `c-${userId}`,
): QueueEntry => ({
  runId: `${userId}${n}`,
  userId,
  conversationId,
});

export interface QueueFixture {
  queue: RunQueue;
  /** What must exist before a run can wait in the queue (a SQL queue: the run's row). */
  seed?(entry: QueueEntry): Promise<void>;
  close(): Promise<void>;
}

const ids = (entries: QueueEntry[]) => entries.map((e) => e.runId);

export function describeRunQueue(name: string, open: () => Promise<QueueFixture>) {
  describe(`run queue contract: ${name}`, () => {
    let fx: QueueFixture;
    beforeEach(async () => {
      fx = await open();
    });
    afterEach(async () => {
      await fx.close();
    });
    const enqueue = async (...entries: QueueEntry[]) => {
      for (const e of entries) {
        await fx.seed?.(e);
        await fx.queue.enqueue(e);
      }
    };
    const entry = queueEntry;

    it('hands runs out round-robin across users, oldest first within a user', async () => {
      await enqueue(entry('a', 1), entry('a', 2), entry('a', 3), entry('b', 1), entry('c', 1));
      expect(ids(await fx.queue.waiting())).toEqual(['a1', 'b1', 'c1', 'a2', 'a3']);
      expect(ids(await fx.queue.claim(2))).toEqual(['a1', 'b1']);
      await enqueue(entry('b', 2));
      expect(ids(await fx.queue.waiting())).toEqual(['c1', 'a2', 'b2', 'a3']);
      expect(ids(await fx.queue.claim(10))).toEqual(['c1', 'a2', 'b2', 'a3']);
      expect(await fx.queue.claim(1)).toEqual([]);
      for (const id of ['a1', 'b1']) await fx.queue.release(id);
    });

    it('takes waiting runs out by run or by conversation, and the rest move up', async () => {
      await enqueue(entry('a', 1, 'x'), entry('a', 2, 'y'), entry('b', 1, 'x'), entry('b', 2));
      expect(ids(await fx.queue.remove({ runId: 'a1' }))).toEqual(['a1']);
      expect(ids(await fx.queue.remove({ runId: 'a1' }))).toEqual([]);
      expect(ids(await fx.queue.remove({ conversationId: 'x' }))).toEqual(['b1']);
      expect(ids(await fx.queue.waiting())).toEqual(['a2', 'b2']);
      expect(await fx.queue.claim(5)).toEqual([entry('a', 2, 'y'), entry('b', 2)]);
    });

    it('keeps a run in its place when queued again, and holds claimed runs until released', async () => {
      await enqueue(entry('a', 1), entry('b', 1));
      await fx.queue.enqueue(entry('a', 1));
      expect(ids(await fx.queue.waiting())).toEqual(['a1', 'b1']);
      expect(ids(await fx.queue.claim(1))).toEqual(['a1']);
      // Held here: neither waiting again nor anyone else's to take.
      await fx.queue.enqueue(entry('a', 1));
      expect(ids(await fx.queue.waiting())).toEqual(['b1']);
      expect(await fx.queue.remove({ runId: 'a1' })).toEqual([]);
      expect(await fx.queue.renew(['a1', 'zz'])).toEqual(['zz']);
      expect(await fx.queue.expired(10)).toEqual([]);
      await fx.queue.release('a1');
      expect(await fx.queue.renew(['a1'])).toEqual(['a1']);
      expect(ids(await fx.queue.claim(5))).toEqual(['b1']);
    });
  });
}

export interface SharedQueueFixture {
  /** Another node on the same queue: its own node id and connections. */
  node(): Promise<{ queue: RunQueue; close(): Promise<void> }>;
  seed(entry: QueueEntry): Promise<void>;
  /** Makes a held run's lease run out now, as if its node had stopped renewing it. */
  lapse(runId: string): Promise<void>;
  close(): Promise<void>;
}

export function describeSharedRunQueue(name: string, open: () => Promise<SharedQueueFixture>) {
  describe(`shared run queue contract: ${name}`, () => {
    let fx: SharedQueueFixture;
    const nodes: { close(): Promise<void> }[] = [];
    const node = async () => {
      const n = await fx.node();
      nodes.push(n);
      return n.queue;
    };
    beforeEach(async () => {
      fx = await open();
    });
    afterEach(async () => {
      for (const n of nodes.splice(0)) await n.close();
      await fx.close();
    });
    const entry = queueEntry;
    const seed = async (...entries: QueueEntry[]) => {
      for (const e of entries) await fx.seed(e);
    };

    it('lets nodes share one fair line and never hands a run to two of them', async () => {
      const [a, b] = [await node(), await node()];
      expect(a.shared && b.shared).toBe(true);
      await seed(entry('a', 1), entry('a', 2), entry('a', 3), entry('b', 1), entry('b', 2));
      await seed(entry('c', 1));
      expect(ids(await a.claim(2))).toEqual(['a1', 'b1']);
      expect(ids(await b.claim(2))).toEqual(['c1', 'a2']);
      expect(ids(await b.waiting())).toEqual(['b2', 'a3']);
      expect(ids(await a.claim(1))).toEqual(['b2']);
      // Both held runs are each node's own: renewing another node's run is refused.
      expect(await a.renew(['a1', 'b1', 'c1'])).toEqual(['c1']);

      const many = Array.from({ length: 12 }, (_, i) => entry(`u${i % 4}`, i));
      await seed(...many);
      const claims = await Promise.all(
        Array.from({ length: 16 }, (_, i) => (i % 2 ? a : b).claim(1)),
      );
      const claimed = claims.flat().map((e) => e.runId);
      expect(claimed.length).toBe(13); // the 12 new runs and a3
      expect(new Set(claimed).size).toBe(13);
    });

    it('gives a run whose lease ran out to exactly one other node, and its holder learns it', async () => {
      const [a, b, c] = [await node(), await node(), await node()];
      await seed(entry('a', 1), entry('a', 2));
      expect(ids(await a.claim(2))).toEqual(['a1', 'a2']);
      expect(await b.expired(10)).toEqual([]);
      await fx.lapse('a1');
      const [fromB, fromC] = await Promise.all([b.expired(10), c.expired(10)]);
      expect([...fromB, ...fromC]).toEqual([entry('a', 1)]);
      expect(await a.renew(['a1', 'a2'])).toEqual(['a1']);
      const taker = fromB.length > 0 ? b : c;
      expect(await taker.renew(['a1'])).toEqual([]);
      await taker.release('a1');
      expect(await b.expired(10)).toEqual([]);
      expect(await c.expired(10)).toEqual([]);
    });

    it('tells the other nodes when work arrives, and asks only the holder to abort', async () => {
      const [a, b] = [await node(), await node()];
      const heard = { a: [] as QueueSignal[], b: [] as QueueSignal[] };
      const offA = a.watch((s) => heard.a.push(s));
      const offB = b.watch((s) => heard.b.push(s));
      await seed(entry('p', 1));
      await vi.waitFor(() => expect(heard.b).toContainEqual({ type: 'changed' }));
      const [held] = await a.claim(1);
      expect(held).toBeDefined();
      const waitingOne = (await b.waiting())[0];
      expect(await b.abort({ runId: held?.runId ?? '' }, 'stop it')).toEqual([held?.runId]);
      // A waiting run is nobody's to abort: it is removed instead.
      if (waitingOne) expect(await b.abort({ runId: waitingOne.runId }, 'x')).toEqual([]);
      await vi.waitFor(() =>
        expect(heard.a).toContainEqual({ type: 'abort', runId: held?.runId, reason: 'stop it' }),
      );
      expect(heard.b.filter((s) => s.type === 'abort')).toEqual([]);
      offA();
      offB();
    });

    it('has one node announce places in line at a time, and another take over when it leaves', async () => {
      const first = await fx.node();
      nodes.push(first);
      const b = await node();
      expect(await first.queue.announces()).toBe(true);
      expect(await b.announces()).toBe(false);
      await first.close();
      await vi.waitFor(async () => expect(await b.announces()).toBe(true), { timeout: 10_000 });
    });
  });
}
