// The contract of group commit, for history stores that have it (SQLite now): the writes of one
// tick share a transaction, and each still succeeds or fails on its own. Each adapter's test file
// calls `describeGroupCommit` with a factory for fresh, empty stores.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError } from '../errors.ts';
import type { Stores } from '../ports.ts';
import { seedRun, stageEvent } from './fixtures.ts';

export function describeGroupCommit(
  name: string,
  open: () => Promise<Stores & { dispose?: () => Promise<void> }>,
) {
  describe(`group commit contract: ${name}`, () => {
    let stores: Stores & { dispose?: () => Promise<void> };
    beforeEach(async () => {
      stores = await open();
    });
    afterEach(async () => {
      await stores.close();
      await stores.dispose?.();
    });

    it('starts runs made together each on its own: a bad one fails alone', async () => {
      const results = await Promise.allSettled([
        seedRun(stores, { runId: 'g1' }),
        seedRun(stores, { runId: 'g2', conversationId: 'gone', newConversation: false }),
        seedRun(stores, { runId: 'g3' }),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(results[1]?.status === 'rejected' && results[1].reason).toBeInstanceOf(NotFoundError);
      expect((await stores.runs.get('g1'))?.lastSeq).toBe(1);
      expect(await stores.runs.get('g2')).toBeUndefined();
      expect((await stores.history.after('g3', 0, 10)).map((e) => e.type)).toEqual(['started']);
    });

    it("writes several runs' batches in one transaction: all of them, or none", async () => {
      // Optional in the port (the log then appends one run at a time); this repository's
      // adapters all have it.
      const appendMany = stores.history.appendMany?.bind(stores.history);
      if (!appendMany) throw new Error('this history has no appendMany (group commit)');
      await seedRun(stores, { runId: 'r1' });
      await seedRun(stores, { runId: 'r2' });
      await appendMany([
        { runId: 'r1', events: [stageEvent('r1', 2)], patch: { lastSeq: 2, progress: 20 } },
        { runId: 'r2', events: [stageEvent('r2', 2), stageEvent('r2', 3)], patch: { lastSeq: 3 } },
      ]);
      expect((await stores.history.after('r1', 0, 10)).map((e) => e.seq)).toEqual([1, 2]);
      expect((await stores.history.after('r2', 0, 10)).map((e) => e.seq)).toEqual([1, 2, 3]);
      expect((await stores.runs.get('r1'))?.progress).toBe(20);
      expect((await stores.runs.get('r2'))?.lastSeq).toBe(3);
      // One bad batch (a run that is gone) takes the whole group back.
      await expect(
        appendMany([
          { runId: 'r1', events: [stageEvent('r1', 3)], patch: { lastSeq: 3 } },
          { runId: 'nope', events: [stageEvent('nope', 1)], patch: { lastSeq: 1 } },
        ]),
      ).rejects.toThrow();
      expect((await stores.history.after('r1', 0, 10)).map((e) => e.seq)).toEqual([1, 2]);
      expect((await stores.runs.get('r1'))?.lastSeq).toBe(2);
    });
  });
}
