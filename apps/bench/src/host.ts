// A server process for the transport benches, so its CPU and memory are measured apart from
// the clients: either the real Querylane server, or a bare `ws` server as the baseline.
// Started by the driver with `--expose-gc`; answers its requests over the IPC channel.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOCAL_USER_ID } from '@querylane/api';
import { transformer } from '@querylane/contracts/transformer';
import { RunRecorder } from '@querylane/runs';
import { removeDir, startTestServer } from '@querylane/server/test-harness';
import { WebSocketServer } from 'ws';
import type { HostEvent, HostMode, HostReply, HostRequest } from './protocol.ts';

const mode = process.argv[2] as HostMode;
const send = (message: HostReply | HostEvent) => process.send?.(message);
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * What the process holds after two full GCs. Short-lived garbage is allocated first, enough to
 * pass through the whole young generation, so its pages are all in RSS already: otherwise the
 * first thousand connections after start-up would each be charged for V8 touching the young
 * generation's pages once (up to 32 MB), which is no cost of a connection.
 */
function memory() {
  let sink = 0;
  for (let i = 0; i < 64 * 1024; i++) sink += new Array(128).fill(i).length;
  if (sink === 0) throw new Error('unreachable');
  globalThis.gc?.();
  globalThis.gc?.();
  const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
  return { rss, heapUsed, external, arrayBuffers };
}

async function querylaneHost() {
  // Every client of the bench comes from one address on loopback, far past the defaults meant
  // for a network: the limits are raised so they measure the transport, not the refusals.
  const server = await startTestServer({
    log: () => {},
    security: {
      maxConnectionsPerIp: 100_000,
      maxConnectionsPerUser: 100_000,
      runsPerMinute: 100_000,
      writesPerMinute: 100_000,
      wsMessagesPerSecond: 100_000,
    },
  });
  const runs = new Map<string, RunRecorder>();
  const handle = async (req: HostRequest): Promise<Omit<HostReply, 'id'>> => {
    switch (req.op) {
      case 'idleRun': {
        const runId = randomUUID();
        const conversationId = randomUUID();
        const userId = LOCAL_USER_ID;
        await server.stores.runs.start({
          conversation: { id: conversationId, userId, title: 'bench' },
          run: {
            id: runId,
            userId,
            conversationId,
            datasetId: 'shop',
            kind: 'sql',
            query: 'bench',
          },
          message: {
            id: randomUUID(),
            conversationId,
            userId,
            role: 'user',
            content: 'bench',
            runId,
          },
          events: [],
        });
        await server.stores.runs.patch(runId, { status: 'running', startedAt: new Date() });
        // The run's real write path: the recorder over the server's event log.
        const run = new RunRecorder(runId, 0, server.services.events);
        run.emit({ type: 'started', query: 'bench', datasetId: 'shop' });
        runs.set(runId, run);
        return { runId };
      }
      case 'emit': {
        const run = runs.get(req.runId);
        if (!run) throw new Error(`no run ${req.runId}`);
        for (let i = 1; i <= req.count; i++) {
          run.emit({ type: 'rows', fetched: i });
          await nextTurn();
        }
        run.emit({ type: 'cancelled', reason: 'bench over' });
        await run.flush();
        return { done: true };
      }
      case 'cpu':
        return process.cpuUsage();
      case 'memory':
        return memory();
      case 'connections':
        return { connections: server.wss.clients.size };
    }
  };
  const stop = async () => {
    await server.close();
    removeDir(server.dataDir);
  };
  return { url: server.url, handle, stop };
}

async function rawHost() {
  const http = createServer((_req, res) => {
    res.statusCode = 404;
    res.end();
  });
  const wss = new WebSocketServer({ server: http, path: '/trpc' });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;

  // What the latency baseline answers to any message: a `started` event, framed as tRPC would.
  const started = (n: number) =>
    JSON.stringify({
      id: n,
      result: {
        type: 'data',
        data: transformer.serialize({
          id: '1',
          data: {
            type: 'started',
            query: 'SELECT count(*) FROM customers',
            datasetId: 'shop',
            seq: 1,
            runId: randomUUID(),
            at: new Date(),
          },
        }),
      },
    });
  wss.on('connection', (socket) => {
    socket.on('message', (data) => {
      socket.send(started(Number(data.toString()) || 0));
    });
  });

  const broadcast = (message: string) => {
    for (const client of wss.clients) client.send(message);
  };
  const handle = async (req: HostRequest): Promise<Omit<HostReply, 'id'>> => {
    switch (req.op) {
      case 'idleRun':
        return { runId: randomUUID() };
      case 'emit': {
        // The same event objects and the same frame tRPC sends, serialised once per event and
        // handed to every socket as one string.
        const frame = (event: object, seq: number) =>
          JSON.stringify({
            id: 1,
            result: { type: 'data', data: transformer.serialize({ id: String(seq), data: event }) },
          });
        let seq = 1;
        for (let i = 1; i <= req.count; i++) {
          seq += 1;
          const event = { type: 'rows', fetched: i, seq, runId: req.runId, at: new Date() };
          broadcast(frame(event, seq));
          await nextTurn();
        }
        seq += 1;
        const end = {
          type: 'cancelled',
          reason: 'bench over',
          seq,
          runId: req.runId,
          at: new Date(),
        };
        broadcast(frame(end, seq));
        broadcast(JSON.stringify({ id: 1, result: { type: 'stopped' } }));
        return { done: true };
      }
      case 'cpu':
        return process.cpuUsage();
      case 'memory':
        return memory();
      case 'connections':
        return { connections: wss.clients.size };
    }
  };
  const stop = async () => {
    for (const client of wss.clients) client.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    await new Promise<void>((resolve) => http.close(() => resolve()));
  };
  return { url: `http://127.0.0.1:${port}`, handle, stop };
}

const host = mode === 'raw' ? await rawHost() : await querylaneHost();
process.on('message', (msg: { id: number } & HostRequest) => {
  host.handle(msg).then(
    (reply) => send({ id: msg.id, ...reply } as HostReply),
    (err: unknown) => send({ error: String(err) }),
  );
});
process.on('disconnect', () => {
  void host.stop().finally(() => process.exit(0));
});
send({ ready: true, url: host.url });
