// Service discovery: GET /.well-known/querylane and `meta.config` say the same thing, taken from
// the server's actual settings, to anyone (before signing in, from any origin).
import { expect, it } from 'vitest';
import { testClient, testServer } from './scope.ts';

it('publishes the version, features, endpoints and the limits this server enforces', async () => {
  const server = await testServer({
    maxMessageBytes: 32_768,
    maxRows: 500,
    pingMs: 12_000,
    pongWaitMs: 3_000,
    version: '1.2.3',
    streamLimits: { maxSubscriptionsPerSocket: 40 },
    security: {
      auth: {
        mode: 'token',
        tokens: [{ token: 'disc-token-0123456789', userId: 'dee', role: 'user' }],
      },
      maxConnectionsPerUser: 3,
      maxConnectionsPerIp: 9,
      runsPerMinute: 12,
      wsMessagesPerSecond: 50,
    },
  });
  const expected = {
    service: 'querylane',
    version: '1.2.3',
    features: { auth: 'token', model: false, rooms: true, cluster: false },
    endpoints: {
      http: '/trpc',
      ws: '/trpc',
      discovery: '/.well-known/querylane',
      metrics: '/metrics',
    },
    limits: {
      maxMessageBytes: 32_768,
      messagesPerSecond: 50,
      keepAlive: { intervalMs: 15_000, pongTimeoutMs: 3_000 },
      connectionsPerUser: 3,
      connectionsPerAddress: 9,
      subscriptionsPerSocket: 40,
      runsPerMinute: 12,
      maxQueryChars: 100_000,
      maxRows: 500,
    },
  };

  // No token: the document is public, and readable from another origin.
  const res = await fetch(`${server.url}/.well-known/querylane`, {
    headers: { origin: 'https://elsewhere.example' },
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  expect(res.headers.get('access-control-allow-origin')).toBe('*');
  expect(await res.json()).toEqual(expected);

  const { trpc } = testClient(server.url);
  expect(await trpc.meta.config.query()).toEqual(expected);
  await expect(trpc.runs.list.query()).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });

  const head = await fetch(`${server.url}/.well-known/querylane?x=1`, { method: 'HEAD' });
  expect(head.status).toBe(200);
  expect(await head.text()).toBe('');
  const post = await fetch(`${server.url}/.well-known/querylane`, { method: 'POST' });
  expect(post.status).toBe(405);
  expect(post.headers.get('allow')).toBe('GET, HEAD');
});
