// The server process for the rooms bench: the real Querylane server with sign-in by token for
// `u0` (a room's owner) and `u1…uN` (its members), so each member is a user of their own. Started
// by the driver with `--expose-gc`; answers over the IPC channel.
import { randomUUID } from 'node:crypto';
import { removeDir, startTestServer } from '@querylane/server/test-harness';
import { type RoomsHostRequest, tokenOf } from './rooms-protocol.ts';

const users = Number(process.argv[2] ?? '0');
const send = (message: object) => process.send?.(message);

const server = await startTestServer({
  log: () => {},
  roomMaxMembers: users + 1,
  security: {
    auth: {
      mode: 'token',
      tokens: Array.from({ length: users + 1 }, (_, i) => ({
        token: tokenOf(i),
        userId: `u${i}`,
        role: 'user' as const,
      })),
    },
    // Every client of the bench comes from one address on loopback.
    maxConnectionsPerIp: 100_000,
    maxConnectionsPerUser: 100_000,
    wsMessagesPerSecond: 100_000,
  },
});

async function handle(req: RoomsHostRequest): Promise<object> {
  switch (req.op) {
    case 'setup': {
      const { services, stores } = server;
      const { id: conversationId } = await services.conversations.create('u0', 'bench room');
      for (let i = req.first; i < req.first + req.members; i++) {
        await services.rooms.share('u0', conversationId, `u${i}`, 'editor');
      }
      const runId = randomUUID();
      await stores.runs.start({
        run: {
          id: runId,
          userId: 'u0',
          conversationId,
          datasetId: 'shop',
          kind: 'sql',
          query: 'bench',
        },
        message: {
          id: randomUUID(),
          conversationId,
          userId: 'u0',
          role: 'user',
          content: 'bench',
          runId,
        },
        events: [
          { type: 'started', seq: 1, runId, at: new Date(), query: 'bench', datasetId: 'shop' },
        ],
      });
      // Running, so a subscriber stays on it, idle.
      await stores.runs.patch(runId, { status: 'running', startedAt: new Date() });
      return { conversationId, runId };
    }
    case 'memory': {
      globalThis.gc?.();
      globalThis.gc?.();
      const { rss, heapUsed, external } = process.memoryUsage();
      return { rss, heapUsed, external };
    }
    case 'sessions':
      return await server.services.presence.stats();
    case 'connections':
      return { connections: server.wss.clients.size };
  }
}

process.on('message', (msg: { id: number } & RoomsHostRequest) => {
  handle(msg).then(
    (reply) => send({ id: msg.id, ...reply }),
    (err: unknown) => send({ error: String(err) }),
  );
});
process.on('disconnect', () => {
  void server.close().finally(() => {
    removeDir(server.dataDir);
    process.exit(0);
  });
});
send({ ready: true, url: server.url });
