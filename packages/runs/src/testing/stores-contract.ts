// The contract every history store must keep (SQLite now, PostgreSQL next): each adapter's test
// file calls `describeStores` with a factory for fresh, empty stores.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError, RunEndedError, SeqConflictError } from '../errors.ts';
import type { Stores } from '../ports.ts';
import { conversationCases } from './conversation-stores-contract.ts';
import { eventAt, seedRun, stageEvent, T0 } from './fixtures.ts';

export function describeStores(
  name: string,
  open: () => Promise<Stores & { dispose?: () => Promise<void> }>,
) {
  describe(`history store contract: ${name}`, () => {
    let stores: Stores & { dispose?: () => Promise<void> };
    beforeEach(async () => {
      stores = await open();
    });
    afterEach(async () => {
      await stores.close();
      await stores.dispose?.();
    });

    it('starts a run in one transaction: conversation, run, message and first event', async () => {
      const run = await seedRun(stores, { runId: 'r1' });
      expect(run).toMatchObject({ id: 'r1', status: 'queued', lastSeq: 1, kind: 'sql' });
      expect(run.hasResult).toBe(false);
      expect((await stores.history.after('r1', 0, 10)).map((e) => e.type)).toEqual(['started']);
      expect((await stores.conversations.messages('c-r1')).map((m) => m.content)).toEqual([
        'SELECT 1',
      ]);
      // Into a conversation that is not there: nothing is written.
      await expect(
        seedRun(stores, { runId: 'r2', conversationId: 'gone', newConversation: false }),
      ).rejects.toBeInstanceOf(NotFoundError);
      expect(await stores.runs.get('r2')).toBeUndefined();
      expect(await stores.history.after('r2', 0, 10)).toEqual([]);
    });

    it("pages one user's runs, or one conversation's, newest first with a cursor", async () => {
      for (const id of ['a', 'b', 'c']) {
        await seedRun(stores, { runId: id, conversationId: 'c1', newConversation: id === 'a' });
      }
      // Someone else's run in the same conversation (a shared room's thread).
      await seedRun(stores, {
        runId: 'd',
        userId: 'u2',
        conversationId: 'c1',
        newConversation: false,
      });
      expect((await stores.runs.get('a'))?.userId).toBe('u1');
      const thread = await stores.runs.page({ conversationId: 'c1', limit: 10 });
      expect(thread.items.map((r) => [r.id, r.userId])).toEqual([
        ['d', 'u2'],
        ['c', 'u1'],
        ['b', 'u1'],
        ['a', 'u1'],
      ]);
      expect((await stores.runs.page({ userId: 'u2', limit: 10 })).items.map((r) => r.id)).toEqual([
        'd',
      ]);
      const first = await stores.runs.page({ userId: 'u1', limit: 2 });
      expect(first.items.map((r) => r.id)).toEqual(['c', 'b']);
      const next = first.next ?? undefined;
      expect(next).toBeDefined();
      const second = await stores.runs.page({
        userId: 'u1',
        limit: 2,
        ...(next ? { cursor: next } : {}),
      });
      expect(second.items.map((r) => r.id)).toEqual(['a']);
      expect(second.next).toBeNull();
      expect((await stores.runs.page({ userId: 'u3', limit: 5 })).items).toEqual([]);
    });

    it('moves a run along with each batch, and applies any other change with it', async () => {
      await seedRun(stores, { runId: 'r1' });
      await stores.history.append('r1', [stageEvent('r1', 2, 41)], {
        lastSeq: 2,
        stage: 'execute',
        progress: 41,
      });
      // A batch that says nothing of stage or progress leaves them as they were.
      await stores.history.append('r1', [eventAt('r1', 3, { type: 'rows', fetched: 5 })], {
        lastSeq: 3,
      });
      expect(await stores.runs.get('r1')).toMatchObject({
        lastSeq: 3,
        stage: 'execute',
        progress: 41,
      });
      const finishedAt = new Date(T0 + 500);
      const result = {
        columns: [{ name: 'x', type: 'integer' }],
        rows: [[1], [new Uint8Array([1, 2])]],
        rowCount: 2,
        truncated: false,
        elapsedMs: 1,
        profile: [],
        summary: 's',
      };
      await stores.history.append('r1', [eventAt('r1', 4, { type: 'completed', result })], {
        lastSeq: 4,
        status: 'completed',
        progress: 100,
        finishedAt,
        result,
      });
      expect(await stores.runs.get('r1')).toMatchObject({
        lastSeq: 4,
        status: 'completed',
        stage: 'execute',
        progress: 100,
        finishedAt,
        hasResult: true,
      });
      expect(await stores.runs.result('r1')).toEqual(result);
      expect(await stores.history.ended('r1')).toBe(true);
      const events = await stores.history.after('r1', 0, 10);
      expect(events.map((e) => [e.seq, e.at])).toEqual(
        [1, 2, 3, 4].map((seq) => [seq, new Date(T0 + seq)]),
      );
      expect((await stores.history.after('r1', 2, 1)).map((e) => e.seq)).toEqual([3]);
    });

    it('writes an event batch and the run state together, or neither', async () => {
      await seedRun(stores, { runId: 'r1' });
      await stores.history.append('r1', [stageEvent('r1', 2)], { lastSeq: 2, progress: 10 });
      // seq 2 again violates the key: the whole batch and the patch roll back.
      await expect(
        stores.history.append('r1', [stageEvent('r1', 3), stageEvent('r1', 2)], { lastSeq: 3 }),
      ).rejects.toThrow();
      expect((await stores.history.after('r1', 0, 10)).map((e) => e.seq)).toEqual([1, 2]);
      expect((await stores.runs.get('r1'))?.lastSeq).toBe(2);
      // A run that is gone refuses its events.
      await expect(
        stores.history.append('nope', [stageEvent('nope', 1)], { lastSeq: 1 }),
      ).rejects.toThrow();
      expect(await stores.history.ended('nope')).toBe(true);
    });

    it('refuses events that do not follow the stored seq, and any after the end', async () => {
      await seedRun(stores, { runId: 'r1' });
      await stores.history.append('r1', [stageEvent('r1', 2)], { lastSeq: 2 });
      // A writer that read the run before seq 2 was stored: its seq 2 is someone else's now.
      await expect(
        stores.history.append('r1', [stageEvent('r1', 2, 50)], { lastSeq: 2, progress: 50 }),
      ).rejects.toBeInstanceOf(SeqConflictError);
      // One that skips ahead would leave a gap.
      await expect(
        stores.history.append('r1', [stageEvent('r1', 4)], { lastSeq: 4 }),
      ).rejects.toBeInstanceOf(SeqConflictError);
      expect(await stores.runs.get('r1')).toMatchObject({ lastSeq: 2, progress: 0 });
      await stores.history.append('r1', [eventAt('r1', 3, { type: 'cancelled', reason: 'test' })], {
        lastSeq: 3,
        status: 'cancelled',
      });
      await expect(
        stores.history.append('r1', [stageEvent('r1', 4)], { lastSeq: 4 }),
      ).rejects.toBeInstanceOf(RunEndedError);
      await expect(stores.history.append('r1', [], { progress: 3 })).rejects.toBeInstanceOf(
        RunEndedError,
      );
      expect((await stores.history.after('r1', 0, 10)).map((e) => e.seq)).toEqual([1, 2, 3]);
      expect(await stores.runs.get('r1')).toMatchObject({ status: 'cancelled', lastSeq: 3 });
    });

    it('lists unfinished runs oldest first and counts runs per status across users', async () => {
      await seedRun(stores, { runId: 'r1' });
      await seedRun(stores, { runId: 'r2', userId: 'u2' });
      await seedRun(stores, { runId: 'r3', userId: 'u2' });
      await stores.runs.patch('r2', { status: 'running', startedAt: new Date(T0) });
      await stores.runs.patch('r3', { status: 'completed' });
      expect((await stores.runs.unfinished()).map((r) => [r.id, r.status])).toEqual([
        ['r1', 'queued'],
        ['r2', 'running'],
      ]);
      expect(await stores.runs.countByStatus()).toEqual({
        queued: 1,
        running: 1,
        completed: 1,
        failed: 0,
        cancelled: 0,
        interrupted: 0,
      });
    });

    conversationCases(() => stores);

    it('keeps the chart chosen for a run, for its owner only', async () => {
      await seedRun(stores, { runId: 'r1' });
      expect((await stores.runs.get('r1'))?.chart).toBeNull();
      const chart = { type: 'line' as const, x: 'month', y: ['orders', 'revenue'], series: null };
      expect((await stores.runs.setChart('u1', 'r1', chart))?.chart).toEqual(chart);
      expect((await stores.runs.get('r1'))?.chart).toEqual(chart);
      expect(await stores.runs.setChart('u2', 'r1', null)).toBeUndefined();
      expect((await stores.runs.get('r1'))?.chart).toEqual(chart);
      expect((await stores.runs.setChart('u1', 'r1', null))?.chart).toBeNull();
    });

    it('pages the audit log newest first, filters it and prunes the oldest entries', async () => {
      const ids: number[] = [];
      for (const i of [1, 2, 3, 4, 5]) {
        const entry = await stores.audit.append({
          kind: i % 2 ? 'refused' : 'run_cancelled',
          reason: i % 2 ? 'origin' : null,
          userId: `u${i}`,
          ip: '127.0.0.1',
          target: null,
          detail: { i },
        });
        ids.push(entry.id);
      }
      const idsOf = (rows: { id: number }[]) => rows.map((r) => r.id);
      expect(idsOf(await stores.audit.list({ limit: 2 }))).toEqual([ids[4], ids[3]]);
      expect(idsOf(await stores.audit.list({ limit: 2, beforeId: ids[3] as number }))).toEqual([
        ids[2],
        ids[1],
      ]);
      const cancels = await stores.audit.list({ limit: 10, kind: 'run_cancelled' });
      expect(cancels.map((r) => r.userId)).toEqual(['u4', 'u2']);
      expect(await stores.audit.list({ limit: 10, reason: 'origin' })).toHaveLength(3);
      expect((await stores.audit.list({ limit: 1 }))[0]?.detail).toEqual({ i: 5 });
      expect(await stores.audit.prune(2)).toBe(3);
      expect(idsOf(await stores.audit.list({ limit: 10 }))).toEqual([ids[4], ids[3]]);
      expect(await stores.audit.prune(2)).toBe(0);
      // Ids are never reused after a prune, so a cursor from before it stays meaningful.
      const next = await stores.audit.append({
        kind: 'admin_broadcast',
        reason: null,
        userId: null,
        ip: null,
        target: null,
        detail: null,
      });
      expect(next.id).toBeGreaterThan(ids[4] ?? 0);
    });
  });
}
