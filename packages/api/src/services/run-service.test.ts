// The run service's stream at its seams, driven step by step over a real store.
import type { RunEvent, RunEventInput } from '@querylane/contracts';
import { transformer } from '@querylane/contracts/transformer';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createTestApp } from '../test/setup.ts';

let app: Awaited<ReturnType<typeof createTestApp>>;
beforeEach(async () => {
  app = await createTestApp();
});
afterEach(async () => {
  await app.close();
});

function seedRun(runId: string) {
  const { repos } = app.services;
  repos.conversations.create({ id: `c-${runId}`, userId: 'local', title: 't' });
  repos.runs.create({
    id: runId,
    userId: 'local',
    conversationId: `c-${runId}`,
    datasetId: 'shop',
    query: 'SELECT 1',
  });
  repos.runs.update(runId, { status: 'running' });
}

/** Stores an event the way the recorder does, then publishes it. */
function record(runId: string, seq: number, input: RunEventInput, terminal = false): RunEvent {
  const event = { ...input, seq, runId, at: new Date() } as RunEvent;
  app.services.repos.events.append(
    [{ runId, seq, type: event.type, payload: transformer.stringify(event), at: event.at }],
    runId,
    terminal ? { lastSeq: seq, status: 'completed' } : { lastSeq: seq },
  );
  app.services.bus.publish(event);
  return event;
}

const stage = (progress: number): RunEventInput => ({
  type: 'stage',
  stage: 'execute',
  progress,
  message: 'Running',
});

it('yields the terminal event that lands while the backlog is being replayed', async () => {
  seedRun('r1');
  record('r1', 1, { type: 'started', query: 'SELECT 1', datasetId: 'shop' });
  record('r1', 2, stage(40));
  record('r1', 3, stage(50));
  const stream = app.services.runs.stream('r1', 0);
  const seen: number[] = [];
  const first = await stream.next();
  if (!first.done) seen.push(first.value.seq);
  // The backlog page (1..3) has been read; the run ends before the stream looks again.
  record('r1', 4, { type: 'cancelled', reason: 'test' }, true);
  for await (const event of stream) seen.push(event.seq);
  expect(seen).toEqual([1, 2, 3, 4]);
});

it('hands over from the backlog to live events with no gap and no duplicate', async () => {
  seedRun('r2');
  record('r2', 1, { type: 'started', query: 'SELECT 1', datasetId: 'shop' });
  record('r2', 2, stage(40));
  const stream = app.services.runs.stream('r2', 0);
  const seen: number[] = [];
  const first = await stream.next();
  if (!first.done) seen.push(first.value.seq);
  // Published while the backlog is mid-replay: stored and queued, yielded once.
  record('r2', 3, stage(45));
  const second = await stream.next();
  if (!second.done) seen.push(second.value.seq);
  record('r2', 4, stage(50));
  record('r2', 5, { type: 'cancelled', reason: 'test' }, true);
  for await (const event of stream) seen.push(event.seq);
  expect(seen).toEqual([1, 2, 3, 4, 5]);
  expect(app.services.bus.listenerCount('r2')).toBe(0);
});
