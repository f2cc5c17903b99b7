// What the security layer costs: token and JWT checks, an HTTP round trip with and without a
// token, an audit row, and a flood of upgrades past the per-address limit. `npm run bench`.
import { performance } from 'node:perf_hooks';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { createAuthenticator, parseTokens } from '../src/auth.ts';
import { createTestClient, removeDir, startTestServer } from '../src/test/harness.ts';

async function time(label: string, n: number, fn: () => Promise<unknown>) {
  for (let i = 0; i < Math.min(200, n); i++) await fn();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  const us = ((performance.now() - t0) * 1000) / n;
  console.log(`${label}: ${us.toFixed(1)} µs/call (n=${n})`);
}

const many = Array.from(
  { length: 1000 },
  (_, i) => `tok-${i.toString().padStart(4, '0')}-abcdefabcdef:u${i}`,
).join(',');
const three = createAuthenticator({
  mode: 'token',
  tokens: parseTokens('tA-xxxxxxxxxxxx:alice,tB-xxxxxxxxxxxx:bob,tC-xxxxxxxxxxxx:root:admin'),
});
const thousand = createAuthenticator({ mode: 'token', tokens: parseTokens(many) });
await time('token, 3 entries, match', 20000, () => three.authenticate('tB-xxxxxxxxxxxx'));
await time('token, 1000 entries, first entry', 5000, () =>
  thousand.authenticate('tok-0000-abcdefabcdef'),
);
await time('token, 1000 entries, last entry', 5000, () =>
  thousand.authenticate('tok-0999-abcdefabcdef'),
);
await time('token, 1000 entries, no match', 5000, () =>
  thousand.authenticate('tok-xxxx-abcdefabcdef'),
);
const secret = 'a-measure-secret-of-at-least-32-characters';
const jwt = createAuthenticator({ mode: 'jwt', secret });
const signed = await new SignJWT({})
  .setProtectedHeader({ alg: 'HS256' })
  .setSubject('alice')
  .setExpirationTime('1h')
  .sign(new TextEncoder().encode(secret));
await time('jwt HS256 verify', 10000, () => jwt.authenticate(signed));

for (const mode of ['none', 'token'] as const) {
  const server = await startTestServer({
    security:
      mode === 'token'
        ? { auth: { mode: 'token', tokens: parseTokens('tA-xxxxxxxxxxxx:alice') } }
        : {},
  });
  const c = createTestClient(server.url, mode === 'token' ? { token: 'tA-xxxxxxxxxxxx' } : {});
  await time(`HTTP conversations.list round trip, auth ${mode}`, 1000, () =>
    c.trpc.conversations.list.query(),
  );
  c.close();
  await server.close();
  removeDir(server.dataDir);
}
{
  const server = await startTestServer();
  const t0 = performance.now();
  for (let i = 0; i < 5000; i++)
    server.services.audit.refused('origin', { ip: `10.0.${i >> 8}.${i & 255}` });
  console.log(
    `audit row write (file store, WAL): ${(((performance.now() - t0) * 1000) / 5000).toFixed(1)} µs/row (n=5000)`,
  );
  await server.close();
  removeDir(server.dataDir);
}

{
  const server = await startTestServer({ security: { maxConnectionsPerIp: 2 } });
  const url = `${server.url.replace('http', 'ws')}/trpc`;
  const open = () =>
    new Promise<WebSocket>((ok) => {
      const ws = new WebSocket(url);
      ws.once('open', () => ok(ws));
    });
  const held = [await open(), await open()];
  const attempt = () =>
    new Promise<number>((ok) => {
      const ws = new WebSocket(url);
      ws.once('unexpected-response', (_q, res) => {
        ok(res.statusCode ?? 0);
        res.resume();
        ws.terminate();
      });
      ws.once('open', () => {
        ok(101);
        ws.terminate();
      });
      ws.once('error', () => ok(-1));
    });
  const N = 2000;
  const t0 = performance.now();
  const statuses = new Map<number, number>();
  for (let i = 0; i < N; i += 50) {
    const batch = await Promise.all(Array.from({ length: 50 }, attempt));
    for (const s of batch) statuses.set(s, (statuses.get(s) ?? 0) + 1);
  }
  const ms = performance.now() - t0;
  const rows = await server.stores.audit.list({ limit: 10_000, reason: 'connections_per_ip' });
  console.log(
    `${N} upgrades past the per-address limit in ${ms.toFixed(0)} ms (${((ms * 1000) / N).toFixed(0)} µs each, client included):`,
    Object.fromEntries(statuses),
  );
  console.log(
    `audit rows written: ${rows.length}; refusals counted: ${server.services.audit.refusals.connections_per_ip}; suppressed noted on a row: ${rows.some((r) => (r.detail as { suppressed?: number })?.suppressed)}`,
  );
  for (const ws of held) ws.terminate();
  await server.close();
  removeDir(server.dataDir);
}
process.exit(0);
