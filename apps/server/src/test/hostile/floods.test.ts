// The hostile-client suite, part two: volume and address. Batches of hundreds of calls (each
// call counts, over WebSocket and HTTP, and writes are rate-limited per user), one subscription
// id used again and again, and a DNS-rebinding page. Against the real server process.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { batchFlood, rebinding, subscriptionIdReuse } from './attacks-flood.ts';
import { expectSurvived, HOSTILE_TIMEOUT_MS, hostileTarget } from './expect.ts';
import { siege, type Target } from './kit.ts';

/** Counted in the store itself, read-only beside the server (WAL lets a reader in). */
function countRows(target: Target, table: 'conversations' | 'runs'): number {
  const db = new Database(join(target.dataDir, 'querylane.db'), { readonly: true });
  try {
    return db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  } finally {
    db.close();
  }
}

it(
  'batches of 560 calls are refused whole; within the limit, calls and writes are rate-limited',
  async () => {
    const target = await hostileTarget();
    const attack = await siege(target, 3, (signal, begun) => batchFlood(target, signal, begun));
    await expectSurvived(target, attack);

    const { oversizeCloses, oversizeHttp, refused, rateCloses } = attack.outcome;
    expect(oversizeCloses.length).toBeGreaterThan(0);
    for (const close of oversizeCloses) {
      expect(close).toEqual({ code: 1008, reason: 'Too many calls in one message' });
    }
    expect(new Set(oversizeHttp)).toEqual(new Set([400]));
    // Each steady socket sent three frames of 100 back to back: the third is past the call rate.
    expect(rateCloses.length).toBeGreaterThan(0);
    for (const close of rateCloses) {
      expect(close).toEqual({ code: 1008, reason: 'Message rate exceeded' });
    }
    expect(Object.keys(refused)).toEqual(['TOO_MANY_REQUESTS']);
    // At most a minute's writes (120) plus what refilled during the attack: not thousands.
    const seconds = (attack.endedAt - attack.begunAt) / 1000;
    const created = countRows(target, 'conversations') - 1; // the witness's
    expect(created).toBeGreaterThan(0);
    expect(created).toBeLessThanOrEqual(120 + Math.ceil(seconds * 2));

    const { refusals } = await target.client.trpc.admin.metrics.query();
    expect(refusals.calls_per_batch).toBe(oversizeCloses.length + oversizeHttp.length);
    expect(refusals.message_rate).toBe(rateCloses.length);
    expect(refusals.writes_per_minute).toBeGreaterThanOrEqual(refused.TOO_MANY_REQUESTS ?? 0);
    for (const reason of ['calls_per_batch', 'message_rate', 'writes_per_minute'] as const) {
      const audit = await target.client.trpc.admin.audit.query({ limit: 1, reason });
      expect(audit.items).toHaveLength(1);
    }
  },
  HOSTILE_TIMEOUT_MS,
);

it(
  'one subscription id used 120 times on a socket holds one slot, and none after it closes',
  async () => {
    const target = await hostileTarget();
    const attack = await siege(target, 3, (signal, begun) =>
      subscriptionIdReuse(target, signal, begun),
    );
    await expectSurvived(target, attack);
    const complete = attack.outcome.filter((r) => r.errors === 119);
    expect(complete.length).toBeGreaterThan(0);
    for (const round of complete) expect(round).toEqual({ errors: 119, during: 1, after: 0 });
  },
  HOSTILE_TIMEOUT_MS,
);

it(
  'a DNS-rebinding page gets 421 for every request and 403 for the upgrade, each audited',
  async () => {
    const target = await hostileTarget();
    const runsBefore = countRows(target, 'runs');
    const attack = await siege(target, 3, (signal, begun) => rebinding(target, signal, begun));
    await expectSurvived(target, attack);

    const { statuses } = attack.outcome;
    expect(statuses.list.length).toBeGreaterThan(0);
    expect(new Set(statuses.list)).toEqual(new Set([421]));
    expect(new Set(statuses.start)).toEqual(new Set([421]));
    expect(new Set(statuses.page)).toEqual(new Set([421]));
    expect(new Set(statuses.upgrade)).toEqual(new Set([403]));
    expect(countRows(target, 'runs')).toBe(runsBefore);
    const attempts = statuses.list.length * 3 + statuses.upgrade.length;
    const { refusals } = await target.client.trpc.admin.metrics.query();
    expect(refusals.host).toBe(attempts);
    const audit = await target.client.trpc.admin.audit.query({ limit: 10, reason: 'host' });
    expect(audit.items[0]?.detail).toMatchObject({
      host: expect.stringMatching(/^attacker\.example:/),
    });
  },
  HOSTILE_TIMEOUT_MS,
);
