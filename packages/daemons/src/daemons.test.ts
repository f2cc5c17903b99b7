// The servers start, answer, and go away with their files; a restarted Redis comes back empty.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  haproxyConfig,
  type PostgresServer,
  startHaproxy,
  startPostgres,
  startRedis,
  upServers,
} from './index.ts';

/** One Redis command over a bare socket, RESP inline: enough to see the server answer. */
function redisCommand(port: number, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' }, () => socket.write(`${line}\r\n`));
    socket.once('data', (d) => {
      resolve(d.toString());
      socket.destroy();
    });
    socket.once('error', reject);
  });
}

let pg: PostgresServer;
beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(async () => {
  await pg?.stop();
});

it('starts PostgreSQL that takes databases, copies of a template, and SQL', async () => {
  await pg.createDatabase('tpl');
  const copy = await pg.createDatabase(undefined, 'tpl');
  expect(copy).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/t_/);
  expect((await pg.sql('SELECT 40 + 2')).trim()).toBe('42');
  expect((await pg.sql('SHOW fsync')).trim()).toBe('off');
});

it('starts Redis, and restarts it empty on the same port after kill -9', async () => {
  const redis = await startRedis();
  try {
    expect(await redisCommand(redis.port, 'SET k v')).toBe('+OK\r\n');
    await redis.kill();
    expect(redis.running).toBe(false);
    await expect(redisCommand(redis.port, 'PING')).rejects.toThrow();
    await redis.start();
    expect(await redisCommand(redis.port, 'GET k')).toBe('$-1\r\n');
  } finally {
    await redis.stop();
  }
});

it('puts HAProxy in front of healthy nodes and steps around one that stops', async () => {
  const node = (name: string) => {
    const server = createServer((req, res) => res.end(req.url === '/trpc/health' ? 'ok' : name));
    return new Promise<{ port: number; close: () => Promise<void> }>((resolve) =>
      server.listen(0, '127.0.0.1', () =>
        resolve({
          port: (server.address() as AddressInfo).port,
          close: () => new Promise((r) => server.close(() => r())),
        }),
      ),
    );
  };
  const a = await node('a');
  const b = await node('b');
  const lb = await startHaproxy({
    backends: [
      { name: 'a', port: a.port },
      { name: 'b', port: b.port },
    ],
  });
  try {
    expect(lb.config).toContain('timeout tunnel 1h');
    expect(lb.config).toContain('option redispatch');
    await expect.poll(() => lb.up()).toEqual(['a', 'b']);
    const answers = new Set<string>();
    for (let i = 0; i < 6; i++) answers.add(await (await fetch(`${lb.url}/x`)).text());
    expect([...answers].sort()).toEqual(['a', 'b']);
    await a.close();
    await expect.poll(() => lb.up(), { timeout: 10_000 }).toEqual(['b']);
    const after: string[] = [];
    for (let i = 0; i < 6; i++) after.push(await (await fetch(`${lb.url}/x`)).text());
    expect(after).toEqual(['b', 'b', 'b', 'b', 'b', 'b']);
  } finally {
    await lb.stop();
    await b.close();
  }
});

it('writes an HAProxy configuration that can send WebSockets to their own nodes', () => {
  const config = haproxyConfig({
    port: 8080,
    backends: [{ name: 'a', port: 3001 }],
    websocketBackends: [{ name: 'w', port: 3002 }],
  });
  expect(config).toContain('use_backend sockets if is_websocket');
  expect(config).toContain('server w 127.0.0.1:3002 check');
});

it('counts a node up only when every backend listing it does', () => {
  const row = (proxy: string, server: string, status: string) =>
    [proxy, server, ...Array(15).fill(''), status].join(',');
  const csv = [
    '# pxname,svname,…',
    row('querylane', 'FRONTEND', 'OPEN'),
    row('nodes', 'node-1', 'UP'),
    row('nodes', 'node-2', 'UP'),
    row('nodes', 'node-3', 'UP'),
    row('nodes', 'BACKEND', 'UP'),
    row('sockets', 'node-2', 'UP'),
    row('sockets', 'node-3', 'DOWN'),
    row('sockets', 'BACKEND', 'UP'),
  ].join('\n');
  expect(upServers(csv)).toEqual(['node-1', 'node-2']);
});
