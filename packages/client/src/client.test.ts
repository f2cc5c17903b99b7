// The client's run(), ask() and events() against the real server on an ephemeral port, over a
// real WebSocket (`ws`): results, codes, cancels, resuming after a dropped socket, replay.
import { until } from '@querylane/runs/testing';
import { describe, expect, it } from 'vitest';
import { QuerylaneRunError } from './errors.ts';
import { CATEGORIES, ENDLESS, SLOW, useLiveServer } from './test/server.ts';
import type { RunEvent } from './types.ts';

const suite = useLiveServer();
const { connect, storedSeqs } = suite;

describe('run()', () => {
  it('resolves with the result and hands every event to onEvent in seq order', async () => {
    const client = connect();
    const seen: RunEvent[] = [];
    const result = await client.run(CATEGORIES, { onEvent: (e) => seen.push(e) });

    const runId = seen[0]?.runId ?? '';
    expect(seen.map((e) => e.seq)).toEqual(await storedSeqs(runId));
    expect(seen.map((e) => e.seq)).toEqual(seen.map((_, i) => i + 1));
    expect(seen[0]?.type).toBe('started');
    expect(seen.at(-1)?.type).toBe('completed');
    const stages = seen.flatMap((e) => (e.type === 'stage' ? [e.stage] : []));
    expect([...new Set(stages)]).toEqual(['plan', 'validate', 'execute', 'interpret', 'finalize']);

    const stored = await client.trpc.runs.byId.query({ runId });
    expect(stored.status).toBe('completed');
    expect(result).toEqual(stored.result);
    expect(result.columns.map((c) => c.name)).toEqual(['category', 'n']);
    const categories = result.rows.map((r) => r[0] as string);
    expect(categories.length).toBeGreaterThan(2);
    expect(categories).toEqual([...categories].sort());
    expect(result.rowCount).toBe(result.rows.length);
  });

  it('rejects with the run code when the query fails', async () => {
    const client = connect();
    const seen: RunEvent['type'][] = [];
    const err = await client
      .run('SELECT * FROM nope', { onEvent: (e) => seen.push(e.type) })
      .catch((e: unknown) => e);

    expect(err).toBeInstanceOf(QuerylaneRunError);
    const runError = err as QuerylaneRunError;
    expect(runError.code).toBe('SQL_SYNTAX');
    expect(runError.message).toBe('no such table: nope');
    expect(runError.hint).toMatch(/Available tables: .*orders/);
    expect(seen.at(-1)).toBe('failed');
    const stored = await client.trpc.runs.byId.query({ runId: runError.runId });
    expect(stored.status).toBe('failed');
    expect(stored.error?.code).toBe('SQL_SYNTAX');
  });

  it('cancels the run on the server when the signal aborts', async () => {
    const client = connect();
    const controller = new AbortController();
    const seen: RunEvent[] = [];
    const err = await client
      .run(ENDLESS, {
        signal: controller.signal,
        onEvent: (e) => {
          seen.push(e);
          if (e.type === 'stage' && e.stage === 'execute') controller.abort();
        },
      })
      .catch((e: unknown) => e);

    expect(err).toBeInstanceOf(QuerylaneRunError);
    expect((err as QuerylaneRunError).code).toBe('CANCELLED');
    const runId = (err as QuerylaneRunError).runId;
    expect(runId).toBe(seen[0]?.runId);
    expect(seen.at(-1)?.type).toBe('cancelled');
    // Settled only after the server stored the end: no waiting needed here.
    expect((await client.trpc.runs.byId.query({ runId })).status).toBe('cancelled');
  });

  it('does not start a run for a signal that is already aborted', async () => {
    const client = connect();
    const before = (await client.trpc.runs.list.query({ limit: 100 })).items.length;
    const err = await client
      .run(CATEGORIES, { signal: AbortSignal.abort() })
      .catch((e: unknown) => e);
    expect((err as QuerylaneRunError).code).toBe('CANCELLED');
    expect((await client.trpc.runs.list.query({ limit: 100 })).items.length).toBe(before);
  });

  it('resumes by itself when the server drops the socket mid-run, each seq exactly once', async () => {
    const client = connect();
    let connections = 0;
    let connectionsAtDrop = 0;
    const onConnection = () => {
      connections += 1;
    };
    suite.server.wss.on('connection', onConnection);
    try {
      // The same socket also carries a raw tRPC subscription: it shows what the wire delivered,
      // before run()'s own seq guard could hide a duplicate.
      const raw: number[] = [];
      let runId = '';
      let rawDone: Promise<void> | undefined;
      let dropped = 0;
      const seen: RunEvent[] = [];
      const result = await client.run(SLOW, {
        onEvent: (e) => {
          seen.push(e);
          if (e.type === 'started') {
            runId = e.runId;
            rawDone = new Promise<void>((resolve, reject) => {
              client.trpc.runs.events.subscribe(
                { runId, lastEventId: null },
                { onData: ({ data }) => raw.push(data.seq), onError: reject, onComplete: resolve },
              );
            });
          }
          if (e.type === 'stage' && e.stage === 'execute' && dropped === 0) {
            dropped += 1;
            connectionsAtDrop = connections;
            for (const socket of suite.server.wss.clients) socket.terminate();
          }
        },
      });
      await rawDone;

      expect(dropped).toBe(1);
      expect(connections).toBeGreaterThan(connectionsAtDrop);
      const all = await storedSeqs(runId);
      expect(all.length).toBeGreaterThan(5);
      expect(seen.map((e) => e.seq)).toEqual(all);
      expect(raw).toEqual(all);
      // Events after the cut prove the stream resumed rather than replaying a finished run.
      const cutAt = seen.findIndex((e) => e.type === 'stage' && e.stage === 'execute');
      expect(seen.slice(cutAt + 1).map((e) => e.type)).toContain('completed');
      expect(result.rows).toEqual([[5_000_000]]);
    } finally {
      suite.server.wss.off('connection', onConnection);
    }
  });

  it('rejects a run it is following when the client is closed', async () => {
    const client = connect();
    const controller = new AbortController();
    let started = false;
    const pending = client.run(ENDLESS, {
      onEvent: (e) => {
        if (e.type === 'started') started = true;
      },
      signal: controller.signal,
    });
    const outcome = pending.catch((e: unknown) => e);
    // The first event crosses an HTTP start and a socket: more than a second on a loaded machine.
    await until(() => expect(started).toBe(true));
    await client.close();
    const err = await outcome;
    expect((err as Error).name).toBe('ClientClosedError');
    // The server still runs it; end it so the worker is free for the next test.
    const other = connect();
    const [latest] = (await other.trpc.runs.list.query({ limit: 1 })).items;
    expect(latest?.query).toBe(ENDLESS);
    await other.trpc.runs.cancel.mutate({ runId: latest?.id ?? '' });
  });
});

describe('events()', () => {
  it('replays only the events after lastEventId and ends after the terminal one', async () => {
    const client = connect();
    const seen: RunEvent[] = [];
    await client.run(CATEGORIES, { onEvent: (e) => seen.push(e) });
    const runId = seen[0]?.runId ?? '';

    const all: RunEvent[] = [];
    for await (const e of client.events(runId)) all.push(e);
    const tail: RunEvent[] = [];
    for await (const e of client.events(runId, { lastEventId: 3 })) tail.push(e);

    expect(all).toEqual(seen);
    expect(tail).toEqual(seen.slice(3));
    expect(tail[0]?.seq).toBe(4);
    expect(tail.at(-1)?.type).toBe('completed');
  });

  it('follows a live run to its end; breaking out of the loop ends the subscription', async () => {
    const client = connect();
    const { runId } = await client.trpc.runs.start.mutate({ query: SLOW });

    for await (const e of client.events(runId)) {
      expect(e.type).toBe('started');
      break;
    }
    await until(() => expect(suite.server.services.events.listenerCount(runId)).toBe(0));
    expect((await suite.server.stores.runs.get(runId))?.status).toMatch(/^(queued|running)$/);

    const live: RunEvent['type'][] = [];
    for await (const e of client.events(runId, { lastEventId: '1' })) live.push(e.type);
    expect(live[0]).toBe('stage');
    expect(live.at(-1)).toBe('completed');
    expect(live).not.toContain('started');
    expect(live.length).toBe((await storedSeqs(runId)).length - 1);
  });

  it('throws the server error for an unknown run', async () => {
    const client = connect();
    const iterate = async () => {
      for await (const _ of client.events('no-such-run')) {
        // never reached
      }
    };
    await expect(iterate()).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
  });
});
