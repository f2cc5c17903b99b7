// Token buckets and the rate meter on a clock moved by hand; the audit log's retention bound.
import { openSqliteStores } from '@querylane/db';
import { describe, expect, it } from 'vitest';
import { AuditLog } from './audit.ts';
import { RateMeter, TokenBucket, TokenBuckets } from './limits.ts';

describe('TokenBucket', () => {
  it('allows a burst of its capacity, then one per refill interval', () => {
    let now = 0;
    const bucket = new TokenBucket(3, 1 / 100, () => now);
    expect([bucket.take(), bucket.take(), bucket.take()].every((t) => t.ok)).toBe(true);
    expect(bucket.take()).toEqual({ ok: false, retryAfterMs: 100 });
    now = 60;
    expect(bucket.take()).toEqual({ ok: false, retryAfterMs: 40 });
    now = 100;
    expect(bucket.take()).toEqual({ ok: true });
    now = 10_000; // a long pause refills only up to the capacity
    expect([1, 2, 3, 4].map(() => bucket.take().ok)).toEqual([true, true, true, false]);
  });
});

describe('TokenBuckets', () => {
  it('keeps one bucket per key with perMinute tokens', () => {
    let now = 0;
    const buckets = new TokenBuckets(30, () => now);
    for (let i = 0; i < 30; i++) expect(buckets.take('alice').ok).toBe(true);
    expect(buckets.take('alice')).toEqual({ ok: false, retryAfterMs: 2000 });
    expect(buckets.take('bob').ok).toBe(true);
    now = 2000;
    expect(buckets.take('alice').ok).toBe(true);
    expect(buckets.take('alice').ok).toBe(false);
  });
});

describe('RateMeter', () => {
  it('averages whole seconds of the window and leaves out the one still filling', () => {
    let now = 100_000;
    const meter = new RateMeter(10, () => now);
    meter.mark(20);
    expect(meter.perSecond()).toBe(0);
    now += 1000;
    meter.mark(10);
    expect(meter.perSecond()).toBe(2); // 20 over 10 s
    now += 1000;
    expect(meter.perSecond()).toBe(3); // 30 over 10 s
    now += 9000; // the first second has left the window
    expect(meter.perSecond()).toBe(1);
    now += 60_000;
    expect(meter.perSecond()).toBe(0);
    expect(meter.total).toBe(30);
  });
});

describe('AuditLog', () => {
  it('keeps at most maxRows rows, pruning the oldest', async () => {
    const stores = openSqliteStores(':memory:');
    try {
      const audit = new AuditLog(stores.audit, { maxRows: 100 });
      for (let i = 0; i < 1000; i++) audit.refused('origin', { userId: null, ip: `ip${i}` });
      await audit.settled();
      const rows = await stores.audit.list({ limit: 1000 });
      // Pruned every 500 writes, so right after the 1000th exactly the newest 100 are left.
      expect(rows.map((r) => r.ip)).toEqual(Array.from({ length: 100 }, (_, i) => `ip${999 - i}`));
      expect(audit.refusals.origin).toBe(1000);
      // 1000 different addresses: no single source went over its budget of rows.
    } finally {
      await stores.close();
    }
  });

  it('writes at most refusalRowsPerMinute rows per source and counts the rest', async () => {
    const stores = openSqliteStores(':memory:');
    try {
      let now = 0;
      const audit = new AuditLog(stores.audit, {
        maxRows: 100_000,
        refusalRowsPerMinute: 60,
        now: () => now,
      });
      for (let i = 0; i < 100; i++) audit.refused('connections_per_ip', { ip: '10.0.0.9' });
      audit.refused('connections_per_ip', { ip: '10.0.0.10' });
      await audit.settled();
      const rows = await stores.audit.list({ limit: 1000, reason: 'connections_per_ip' });
      expect(rows).toHaveLength(61);
      expect(audit.refusals.connections_per_ip).toBe(101);
      now += 1000; // one more row's worth of budget for the busy source
      audit.refused('connections_per_ip', { ip: '10.0.0.9' }, { detail: { max: 20 } });
      await audit.settled();
      const [latest] = await stores.audit.list({ limit: 1 });
      expect(latest?.detail).toEqual({ max: 20, suppressed: 40 });
      expect(audit.refusals.connections_per_ip).toBe(102);
    } finally {
      await stores.close();
    }
  });
});
