// The hostile-client suite, part three: reading results back. A run with a 4 MB result replayed
// a hundred times to a socket that stops reading must not hold up anyone else; runs.byId serves
// the stored result as it is (still plain superjson on the wire), and runs.list never loads one.
import { expect, it } from 'vitest';
import { until } from '../scope.ts';
import { openSocket } from './attacks-flood.ts';
import {
  BIG_RESULT_ENV,
  bigResultRun,
  replayFlood,
  watchersOfBigResult,
} from './attacks-replay.ts';
import { expectSurvived, HOSTILE_TIMEOUT_MS, hostileTarget } from './expect.ts';
import { rawHttp, siege } from './kit.ts';

it(
  '100 replays of a 4 MB result to a socket that stops reading: paced, cut at the hard bound',
  async () => {
    const target = await hostileTarget(BIG_RESULT_ENV);
    const runId = await bigResultRun(target);
    const attack = await siege(target, 5, (signal, begun) =>
      replayFlood(target, runId, signal, begun),
    );
    await expectSurvived(target, attack);

    const { trpc } = target.client;
    // The socket was cut once its backlog passed the hard bound, before most replays began.
    const metrics = await trpc.admin.metrics.query();
    expect(metrics.refusals.slow_consumer).toBe(1);
    expect(metrics.subscriptions).toBe(0);

    // Read back whole, over HTTP: the stored text went out as it was, and decodes to the blob.
    const run = await trpc.runs.byId.query({ runId });
    expect(run.status).toBe('completed');
    const blob = run.result?.rows[0]?.[0];
    expect(blob).toBeInstanceOf(Uint8Array);
    expect((blob as Uint8Array).length).toBe(4_000_000);
    // The stored text is sent on, and the message is still plain superjson: the blob is one
    // base64 string annotated Uint8Array, with no trace of how the server made it.
    const raw = await rawHttp(target.url, {
      path: `/trpc/runs.byId?input=${encodeURIComponent(JSON.stringify({ json: { runId } }))}`,
    });
    expect(raw.body).not.toContain('Encoded');
    const answer = JSON.parse(raw.body).result.data;
    expect(answer.meta.values['result.rows.0.0']).toEqual([['custom', 'Uint8Array']]);
    expect(answer.json.result.rows[0][0]).toHaveLength(5_333_336);
    // A replay over the wire sends the stored result on as stored too.
    const reader = await openSocket(target.url);
    if ('status' in reader) throw new Error(`upgrade refused with ${reader.status}`);
    const frames: string[] = [];
    reader.ws.on('message', (m) => frames.push(String(m)));
    reader.ws.send(
      JSON.stringify({
        id: 1,
        method: 'subscription',
        params: { path: 'runs.events', input: { json: { runId } } },
      }),
    );
    await until(() => expect(frames.some((f) => f.includes('"stopped"'))).toBe(true));
    reader.ws.terminate();
    const completed = frames.filter((f) => f.includes('"completed"'));
    expect(completed).toHaveLength(1);
    expect(completed[0]).not.toContain('Encoded');
    const replayed = JSON.parse(completed[0] ?? '{}').result.data;
    expect(replayed.meta.values['data.result.rows.0.0']).toEqual([['custom', 'Uint8Array']]);
    expect(replayed.json.data.result.rows[0][0]).toHaveLength(5_333_336);
    const list = await trpc.runs.list.query({ limit: 5 });
    expect(list.items.map((r) => r.id)).toContain(runId);
    for (const item of list.items) expect(item).not.toHaveProperty('result');
  },
  HOSTILE_TIMEOUT_MS,
);

it(
  'a run watched 100 times ends with a big result: each watcher gets the text the store wrote',
  async () => {
    const target = await hostileTarget();
    const attack = await siege(target, 3, (signal, begun) =>
      watchersOfBigResult(target, signal, begun),
    );
    await expectSurvived(target, attack);

    const { completed, runId } = attack.outcome;
    expect(completed).toHaveLength(100);
    const ids = completed.map((f) => (JSON.parse(f) as { id: number }).id).sort((a, b) => a - b);
    expect(ids).toEqual(Array.from({ length: 100 }, (_, i) => i));
    for (const frame of completed) {
      expect(frame).not.toContain('Encoded');
      const data = JSON.parse(frame).result.data;
      expect(data.meta.values['data.result.rows.0.0']).toEqual([['custom', 'Uint8Array']]);
      expect(data.json.data.result.rows[0][0]).toHaveLength(933_336);
    }
    const run = await target.client.trpc.runs.byId.query({ runId });
    expect((run.result?.rows[0]?.[0] as Uint8Array | undefined)?.length).toBe(700_000);
  },
  HOSTILE_TIMEOUT_MS,
);
