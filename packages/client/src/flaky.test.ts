// A network that fails at the worst moments, made deterministic: a WebSocket whose connection dies
// right after it opens, and a socket cut in the same tick a subscription was queued on it, before
// tRPC's deferred first send. Subscriptions must come back by themselves, each event exactly once.
import { until } from '@querylane/runs/testing';
import { removeDir, startTestServer } from '@querylane/server/test-harness';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createQuerylaneClient, type QuerylaneClient } from './client.ts';
import type { RunEvent } from './types.ts';

const CATEGORIES =
  'SELECT category, count(*) AS n FROM products GROUP BY category ORDER BY category';
// Keeps the SQL worker busy for a second or two: long enough to cut sockets mid-run.
const SLOW = `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 5000000)
SELECT count(*) AS n FROM c`;

/** `ws` with a fault switch: the next `dieOnOpen` connections are cut as soon as they open. */
class FlakySocket extends WebSocket {
  static dieOnOpen = 0;
  static readonly live = new Set<FlakySocket>();

  constructor(url: string, protocols?: string | string[]) {
    super(url, protocols);
    FlakySocket.live.add(this);
    this.addEventListener('close', () => FlakySocket.live.delete(this));
    if (FlakySocket.dieOnOpen > 0) {
      FlakySocket.dieOnOpen -= 1;
      // Registered before tRPC's own listeners, so tRPC sees an open event on a dying socket.
      this.addEventListener('open', () => this.terminate());
    }
  }
}

let server: Awaited<ReturnType<typeof startTestServer>>;
let connections = 0;
const countConnection = () => {
  connections += 1;
};
beforeAll(async () => {
  server = await startTestServer();
  server.wss.on('connection', countConnection);
});
afterAll(async () => {
  server?.wss.off('connection', countConnection);
  await server?.close();
  if (server) removeDir(server.dataDir);
});

const clients: QuerylaneClient[] = [];
afterEach(async () => {
  FlakySocket.dieOnOpen = 0;
  for (const c of clients.splice(0)) await c.close();
});

function connect(lazy: boolean): QuerylaneClient {
  const client = createQuerylaneClient({ url: server.url, WebSocket: FlakySocket, lazy });
  clients.push(client);
  return client;
}

async function storedSeqs(runId: string): Promise<number[]> {
  return (await server.stores.history.after(runId, 0, 10_000)).map((e) => e.seq);
}

async function statusOf(runId: string) {
  return (await server.stores.runs.get(runId))?.status;
}

describe('a subscription on a flaky network', () => {
  it('resubscribes when its socket dies between open and the first send', async () => {
    const client = connect(true);
    FlakySocket.dieOnOpen = 1;
    const before = connections;
    const seen: RunEvent[] = [];
    const result = await client.run(CATEGORIES, { onEvent: (e) => seen.push(e) });

    expect(FlakySocket.dieOnOpen).toBe(0);
    // The cut socket and the one that carried the run.
    expect(connections - before).toBeGreaterThanOrEqual(2);
    const runId = seen[0]?.runId ?? '';
    expect(seen.map((e) => e.seq)).toEqual(await storedSeqs(runId));
    expect(seen.at(-1)?.type).toBe('completed');
    expect(result.columns.map((c) => c.name)).toEqual(['category', 'n']);
  });

  it('resubscribes when the socket is cut after a subscription was queued on it but not sent', async () => {
    const client = connect(false);
    const { runId } = await client.trpc.runs.start.mutate({ query: CATEGORIES });
    await until(() => expect(client.connectionState.get().state).toBe('pending'));
    await until(async () => expect(await statusOf(runId)).toBe('completed'));

    const seqs: number[] = [];
    const done = new Promise<void>((resolve, reject) => {
      client.trpc.runs.events.subscribe(
        { runId, lastEventId: null },
        { onData: ({ data }) => seqs.push(data.seq), onError: reject, onComplete: resolve },
      );
    });
    // Same tick: tRPC has queued the subscribe frame behind a timer; the socket goes first.
    expect(FlakySocket.live.size).toBe(1);
    for (const socket of FlakySocket.live) socket.terminate();
    await done;

    expect(seqs).toEqual(await storedSeqs(runId));
  });

  it('resumes a live run after its last event when cut mid-stream and again while reconnecting', async () => {
    const client = connect(false);
    const { runId } = await client.trpc.runs.start.mutate({ query: SLOW });

    const seqs: number[] = [];
    let cut = false;
    const done = new Promise<void>((resolve, reject) => {
      client.trpc.runs.events.subscribe(
        { runId, lastEventId: null },
        {
          onData: ({ data }) => {
            seqs.push(data.seq);
            if (!cut) {
              cut = true;
              FlakySocket.dieOnOpen = 1;
              for (const socket of FlakySocket.live) socket.terminate();
            }
          },
          onError: reject,
          onComplete: resolve,
        },
      );
    });
    await done;

    expect(cut).toBe(true);
    expect(FlakySocket.dieOnOpen).toBe(0);
    expect(seqs).toEqual(await storedSeqs(runId));
    expect(await statusOf(runId)).toBe('completed');
  });
});
