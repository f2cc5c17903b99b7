// What the cluster tests check of every subscriber: each event of its run exactly once, in seq
// order, equal to what PostgreSQL stored — counted, so the totals can be reported.
import type { RunEventOutput } from '@querylane/api';
import type { PostgresStores } from '@querylane/db';
import { expect } from 'vitest';

export interface Delivery {
  runId: string;
  events: RunEventOutput[];
}

export interface DeliveryCounts {
  runs: number;
  subscribers: number;
  stored: number;
  delivered: number;
  lost: number;
  duplicated: number;
}

/** Compares every subscriber's events with the stored replay; returns the counts. */
export async function checkDeliveries(
  observer: PostgresStores,
  deliveries: readonly Delivery[],
): Promise<DeliveryCounts> {
  const runIds = [...new Set(deliveries.map((d) => d.runId))];
  const stored = new Map(
    await Promise.all(
      runIds.map(async (id) => [id, await observer.history.after(id, 0, 1_000_000)] as const),
    ),
  );
  let delivered = 0;
  let lost = 0;
  let duplicated = 0;
  for (const { runId, events } of deliveries) {
    const replay = stored.get(runId) ?? [];
    const seqs = events.map((e) => e.seq);
    delivered += events.length;
    duplicated += seqs.length - new Set(seqs).size;
    lost += replay.filter((e) => !seqs.includes(e.seq)).length;
    expect(seqs).toEqual(replay.map((_, i) => i + 1));
    expect(events).toEqual(replay);
  }
  const counts = {
    runs: runIds.length,
    subscribers: deliveries.length,
    stored: [...stored.values()].reduce((n, e) => n + e.length, 0),
    delivered,
    lost,
    duplicated,
  };
  expect(counts.lost).toBe(0);
  expect(counts.duplicated).toBe(0);
  return counts;
}

/** The most runs a node had at once, from the stored start and end of each run it executed. */
export function peakOverlap(runs: { started_at: Date | null; finished_at: Date | null }[]) {
  const edges = runs.flatMap((r) =>
    r.started_at && r.finished_at
      ? [
          [r.started_at.getTime(), 1],
          [r.finished_at.getTime(), -1],
        ]
      : [],
  );
  // Ends before starts at the same instant: a slot freed and taken again is not two at once.
  edges.sort((a, b) => (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number));
  let now = 0;
  let peak = 0;
  for (const [, d] of edges) {
    now += d as number;
    peak = Math.max(peak, now);
  }
  return peak;
}
