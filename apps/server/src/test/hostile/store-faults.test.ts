// The hostile-client suite, part one: errors of the history store must end a run, never the
// process. Against the real server process: a delete racing a start (FOREIGN KEY), another
// process holding the write lock (SQLITE_BUSY), and a store with no room left (SQLITE_FULL).
import { expect, it } from 'vitest';
import { subscribeAll } from '../harness.ts';
import { deleteRace, storeBusy, storeFull } from './attacks-store.ts';
import { expectSurvived, HOSTILE_TIMEOUT_MS, hostileTarget } from './expect.ts';
import { siege } from './kit.ts';

it(
  'a conversation deleted while a run starts into it: the start is refused or cancelled, nothing crashes',
  async () => {
    const target = await hostileTarget({ QUERYLANE_RUNS_PER_MINUTE: '10000' });
    const attack = await siege(target, 3, (signal, begun) => deleteRace(target, signal, begun));
    await expectSurvived(target, attack);

    const rounds = attack.outcome;
    expect(rounds.length).toBeGreaterThanOrEqual(2);
    expect(new Set(rounds.map((r) => r.order))).toEqual(new Set(['delete-first', 'start-first']));
    for (const round of rounds) {
      expect(round.deleted).toEqual({ ok: true, value: expect.anything() });
      // The long run was cancelled by the delete, and said so before its conversation went.
      expect(round.longRunEnd).toMatchObject({ type: 'cancelled', reason: 'Conversation deleted' });
      if (round.second.ok) {
        // Accepted before the delete began: cancelled with the rest, then gone with them.
        expect(round.secondAfter).toMatchObject({ ok: false, code: 'NOT_FOUND' });
      } else {
        expect(['CONFLICT', 'NOT_FOUND']).toContain(round.second.code);
      }
    }
    expect(target.server.output()).not.toMatch(/FOREIGN KEY|could not be stored|could not store/);
    const { runs } = await target.client.trpc.admin.metrics.query();
    expect(runs.running).toBe(0);
    expect(runs.queued).toBe(0);
  },
  HOSTILE_TIMEOUT_MS,
);

it(
  'another process holding the write lock: runs.start says busy, the run ends STORE_UNAVAILABLE once it can',
  async () => {
    const target = await hostileTarget();
    // Longer than the store's busy timeout and the run's retries (about 6 s) together.
    const attack = await siege(target, 9, (signal, begun) => storeBusy(target, signal, begun));
    await expectSurvived(target, attack);

    const { starts, events, runId } = attack.outcome;
    expect(starts.length).toBeGreaterThan(0);
    for (const start of starts) {
      expect(start).toMatchObject({ ok: false, code: 'SERVICE_UNAVAILABLE' });
      expect(start.ok || start.message).toMatch(/history store is busy/);
    }
    // Every event the subscriber got is stored, contiguous, and the last one says why it ended.
    const end = events.at(-1);
    expect(end?.type === 'failed' && end.error.code).toBe('STORE_UNAVAILABLE');
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(await subscribeAll(target.client.trpc, runId)).toEqual(events);
    expect(events.filter((e) => e.type === 'rows').length).toBeGreaterThan(0);

    // The lock is gone: the next run goes through as ever.
    const again = await target.client.trpc.runs.start.mutate({ query: 'SELECT 3 AS three' });
    const done = (await subscribeAll(target.client.trpc, again.runId)).at(-1);
    expect(done?.type === 'completed' && done.result.rows).toEqual([[3]]);
  },
  HOSTILE_TIMEOUT_MS,
);

it(
  'a full store: runs fail STORE_UNAVAILABLE or are refused as full, and what was stored stays',
  async () => {
    const target = await hostileTarget({
      QUERYLANE_STORE_MAX_MB: '1',
      QUERYLANE_RUNS_PER_MINUTE: '10000',
    });
    const attack = await siege(target, 3, (signal, begun) => storeFull(target, signal, begun));
    await expectSurvived(target, attack);

    const { attempts } = attack.outcome;
    let completed = 0;
    let failed = 0;
    let refused = 0;
    for (const attempt of attempts) {
      if ('ended' in attempt) {
        const end = attempt.ended;
        if (end?.type === 'completed') completed += 1;
        else {
          expect(end?.type === 'failed' && end.error.code).toBe('STORE_UNAVAILABLE');
          failed += 1;
        }
      } else {
        expect(attempt).toMatchObject({ ok: false, code: 'SERVICE_UNAVAILABLE' });
        expect(attempt.ok || attempt.message).toMatch(/history store is full/);
        refused += 1;
      }
    }
    // The cap was reached: some runs fit before it, and the rest were turned away clearly.
    expect(completed).toBeGreaterThan(0);
    expect(failed + refused).toBeGreaterThan(0);
    // Completed runs read back whole.
    for (const attempt of attempts) {
      if ('ended' in attempt && attempt.ended?.type === 'completed') {
        const run = await target.client.trpc.runs.byId.query({ runId: attempt.runId });
        expect(run.status).toBe('completed');
        expect(run.result?.rows).toHaveLength(1000);
      }
    }
  },
  HOSTILE_TIMEOUT_MS,
);
