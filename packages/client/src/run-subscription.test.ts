// run() and ask() start a run and follow it with one subscription (`runs.run`), the run named by
// the client: a socket cut before the server answered resubscribes into the same run, an abort
// that comes before the run exists cancels it once it does, and a start with a taken id is
// refused. Against the real server, over a real WebSocket.
import { until } from '@querylane/runs/testing';
import { describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { QuerylaneRunError } from './errors.ts';
import { CATEGORIES, ENDLESS, useLiveServer } from './test/server.ts';
import type { RunEvent } from './types.ts';

const suite = useLiveServer();
const { storedSeqs } = suite;

/** A client whose socket is open: run() then starts over it (else over HTTP, as asserted). */
async function connect() {
  const client = suite.connect();
  await until(() => expect(client.connectionState.get().state).toBe('pending'));
  return client;
}

/** Every run in the store, newest first (the tests' runs are few). */
async function runIds(): Promise<string[]> {
  const page = await suite.server.stores.runs.page({ userId: 'local', limit: 500 });
  return page.items.map((r) => r.id);
}

describe('run() in one subscription', () => {
  it('starts one run when the socket is cut as the start arrives, and resumes it whole', async () => {
    const before = await runIds();
    // The server cuts the socket the moment the first `runs.run` frame reaches it: the start
    // goes on, its reply never leaves, and the client resubscribes with the same run id.
    let cuts = 0;
    const onConnection = (socket: WebSocket) => {
      socket.on('message', (data) => {
        if (cuts === 0 && String(data).includes('"runs.run"')) {
          cuts += 1;
          socket.terminate();
        }
      });
    };
    suite.server.wss.on('connection', onConnection);
    try {
      const client = await connect();
      const seen: RunEvent[] = [];
      const result = await client.run(CATEGORIES, { onEvent: (e) => seen.push(e) });

      expect(cuts).toBe(1);
      const after = await runIds();
      expect(after.length).toBe(before.length + 1);
      const runId = seen[0]?.runId ?? '';
      expect(after[0]).toBe(runId);
      expect(seen.map((e) => e.seq)).toEqual(await storedSeqs(runId));
      expect(seen[0]?.type).toBe('started');
      expect(seen.at(-1)?.type).toBe('completed');
      expect(result.columns.map((c) => c.name)).toEqual(['category', 'n']);
    } finally {
      suite.server.wss.off('connection', onConnection);
    }
  });

  it('cancels a run aborted before its first event, once the server has it', async () => {
    const client = await connect();
    const before = await runIds();
    const controller = new AbortController();
    const seen: RunEvent['type'][] = [];
    const pending = client.run(ENDLESS, {
      signal: controller.signal,
      onEvent: (e) => seen.push(e.type),
    });
    controller.abort(); // the subscription is not even sent yet
    const err = await pending.catch((e: unknown) => e);

    expect(err).toBeInstanceOf(QuerylaneRunError);
    expect((err as QuerylaneRunError).code).toBe('CANCELLED');
    expect(seen[0]).toBe('started');
    expect(seen.at(-1)).toBe('cancelled');
    const after = await runIds();
    expect(after.length).toBe(before.length + 1);
    const stored = await suite.server.stores.runs.get((err as QuerylaneRunError).runId);
    expect(stored?.status).toBe('cancelled');
  });

  it('refuses a run id that names another run, and finds its own run again by it', async () => {
    const client = await connect();
    const runId = crypto.randomUUID();
    const first = await client.trpc.runs.start.mutate({ query: 'SELECT 1 AS one', runId });
    expect(first.runId).toBe(runId);
    // The same start again (a retry after a lost reply): the same run, nothing new.
    const before = await runIds();
    expect(await client.trpc.runs.start.mutate({ query: 'SELECT 1 AS one', runId })).toEqual(first);
    expect(await runIds()).toEqual(before);
    // Another query under that id is refused, over the mutation and the subscription alike.
    await expect(
      client.trpc.runs.start.mutate({ query: 'SELECT 2 AS two', runId }),
    ).rejects.toMatchObject({ data: { code: 'CONFLICT' } });
    const refused = await new Promise<unknown>((resolve) => {
      client.trpc.runs.run.subscribe(
        { query: 'SELECT 2 AS two', runId, lastEventId: null },
        { onError: resolve, onComplete: () => resolve('completed') },
      );
    });
    expect(refused).toMatchObject({ data: { code: 'CONFLICT' } });
    await expect(
      client.trpc.runs.start.mutate({ query: 'SELECT 1', runId: 'not-a-uuid' }),
    ).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' } });
    expect(await runIds()).toEqual(before);
  });
});
