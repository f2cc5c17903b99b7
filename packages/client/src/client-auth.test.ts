// The client's authentication against the real server, over a real WebSocket (`ws`): how the
// token travels, the token's user, a token asked for per request, and no token at all.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { removeDir, startTestServer } from '@querylane/server/test-harness';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createQuerylaneClient, type QuerylaneClient } from './client.ts';
import { CATEGORIES, useLiveServer } from './test/server.ts';
import type { RunEvent } from './types.ts';

const suite = useLiveServer();
const { connect } = suite;

describe('authentication transport', () => {
  it('sends the token as connectionParams on the socket and as a bearer header over HTTP', async () => {
    const firstFrames: string[] = [];
    const onConnection = (socket: WebSocket) => {
      socket.once('message', (data: Buffer) => firstFrames.push(data.toString()));
    };
    suite.server.wss.on('connection', onConnection);
    // A plain HTTP listener stands in for the server only to read what the client sends.
    const headers: (string | undefined)[] = [];
    const capture = createServer((req, res) => {
      headers.push(req.headers.authorization);
      res.statusCode = 503;
      res.end();
    });
    await new Promise<void>((resolve) => capture.listen(0, '127.0.0.1', resolve));
    try {
      const client = connect({ token: 's3cret' });
      const seen: number[] = [];
      await client.run(CATEGORIES, { onEvent: (e) => seen.push(e.seq) });
      expect(seen.length).toBeGreaterThan(3);
      expect(firstFrames.map((f) => JSON.parse(f))).toContainEqual({
        method: 'connectionParams',
        data: { token: 's3cret' },
      });

      const port = (capture.address() as AddressInfo).port;
      const offline = connect({ token: 's3cret', url: `http://127.0.0.1:${port}`, lazy: true });
      await offline.trpc.health.query().catch(() => {});
      expect(headers).toEqual(['Bearer s3cret']);
    } finally {
      suite.server.wss.off('connection', onConnection);
      await new Promise((resolve) => capture.close(resolve));
    }
  });
});

describe('against a server that requires a token', () => {
  it("runs as the token's user, refreshes the token per request, and without one gets UNAUTHORIZED", async () => {
    const secured = await startTestServer({
      security: {
        auth: {
          mode: 'token',
          tokens: [
            { token: 'alice-token-0123456789', userId: 'alice', role: 'user' },
            { token: 'bob-token-0123456789ab', userId: 'bob', role: 'user' },
          ],
        },
      },
    });
    const open: QuerylaneClient[] = [];
    try {
      const as = (token?: string | (() => string)) => {
        const c = createQuerylaneClient({
          url: secured.url,
          WebSocket,
          ...(token ? { token } : {}),
        });
        open.push(c);
        return c;
      };
      const alice = as('alice-token-0123456789');
      const seen: RunEvent[] = [];
      const result = await alice.run('SELECT 41 + 1 AS answer', { onEvent: (e) => seen.push(e) });
      expect(result.rows).toEqual([[42]]);
      expect(await alice.trpc.session.query()).toMatchObject({
        authMode: 'token',
        user: { id: 'alice', role: 'user' },
      });
      const runId = seen[0]?.runId ?? '';
      expect((await secured.stores.runs.get(runId))?.userId).toBe('alice');

      // Bob's run is not Alice's to read, over HTTP or over the socket.
      let current = 'bob-token-0123456789ab';
      const bob = as(() => current);
      await expect(bob.trpc.runs.byId.query({ runId })).rejects.toMatchObject({
        data: { code: 'NOT_FOUND' },
      });
      const replay = async () => {
        for await (const _ of bob.events(runId)) {
          // never reached
        }
      };
      await expect(replay()).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
      // The function is asked again for every request: a new token takes effect at once.
      current = 'alice-token-0123456789';
      expect((await bob.trpc.runs.byId.query({ runId })).status).toBe('completed');

      const anonymous = as();
      await expect(anonymous.trpc.runs.list.query()).rejects.toMatchObject({
        data: { code: 'UNAUTHORIZED' },
      });
      await expect(anonymous.run('SELECT 1')).rejects.toMatchObject({
        data: { code: 'UNAUTHORIZED' },
      });
    } finally {
      for (const c of open) await c.close();
      await secured.close();
      removeDir(secured.dataDir);
    }
  });
});
