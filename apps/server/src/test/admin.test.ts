// Admin over the wire (broadcast, metrics, connections, audit, GET /metrics) and the refusal to
// listen beyond loopback without authentication.
import { describe, expect, it } from 'vitest';
import { freshDataDir, removeDir, startTestServer } from './harness.ts';
import { onCleanup, until } from './scope.ts';
import { client, codeOf, serve, TOKENS, tokenAuth } from './security-helpers.ts';

describe('admin over the wire', () => {
  it('broadcasts to every client live, reports metrics and connections, and keeps non-admins out', async () => {
    const { server } = await serve({ auth: tokenAuth });
    const root = client(server.url, { token: TOKENS.root });
    const users = {
      alice: client(server.url, { token: TOKENS.alice }),
      bob: client(server.url, { token: TOKENS.bob }),
    };
    const heard: Record<string, string[]> = { alice: [], bob: [] };
    for (const [name, trpc] of Object.entries(users)) {
      trpc.notices.subscribe(undefined, { onData: ({ data }) => heard[name]?.push(data.message) });
    }
    await until(() => expect(server.services.notices.listenerCount).toBe(2));

    expect(await codeOf(users.alice.admin.metrics.query())).toBe('FORBIDDEN');
    expect(await codeOf(users.bob.admin.broadcast.mutate({ message: 'hi' }))).toBe('FORBIDDEN');
    const sent = await root.admin.broadcast.mutate({ message: 'Deploy at noon' });
    expect(sent.delivered).toBe(2);
    await until(() =>
      expect(heard).toEqual({ alice: ['Deploy at noon'], bob: ['Deploy at noon'] }),
    );

    const metrics = await root.admin.metrics.query();
    expect(metrics.connections).toBe(3);
    expect(metrics.users).toBe(3);
    expect(metrics.subscriptions).toBe(2);
    expect(metrics.refusals.forbidden).toBe(2);
    const conns = await root.admin.connections.query();
    expect(conns.map((c) => [c.userId, c.ip, c.subscriptions]).sort()).toEqual([
      ['alice', '127.0.0.1', 1],
      ['bob', '127.0.0.1', 1],
      ['root', '127.0.0.1', 0],
    ]);
    const audit = await root.admin.audit.query({ limit: 10 });
    expect(audit.items.map((r) => [r.kind, r.reason, r.userId])).toEqual([
      ['admin_broadcast', null, 'root'],
      ['refused', 'forbidden', 'bob'],
      ['refused', 'forbidden', 'alice'],
    ]);
  });

  it('serves GET /metrics in Prometheus text to an admin Bearer only', async () => {
    const { server } = await serve({ auth: tokenAuth });
    const alice = client(server.url, { token: TOKENS.alice });
    await alice.datasets.list.query();
    await until(() => expect(server.connections.live.size).toBe(1));
    const get = (token?: string) =>
      fetch(`${server.url}/metrics`, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
    const anon = await get();
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toBe('Bearer');
    expect((await get(TOKENS.alice)).status).toBe(403);
    const ok = await get(TOKENS.root);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toContain('text/plain');
    // Every series names its node (a cluster is scraped node by node); read without it below.
    const node = server.services.nodes.nodeId;
    const raw = await ok.text();
    expect(raw).toMatch(new RegExp(`^querylane_connections\\{node="${node}"\\} 1$`, 'm'));
    const text = raw.replaceAll(`{node="${node}"}`, '').replaceAll(`,node="${node}"`, '');
    expect(text).toContain('# TYPE querylane_connections gauge');
    expect(text).toMatch(/^querylane_connections 1$/m);
    expect(text).toMatch(/^querylane_refusals_total\{kind="unauthorized"\} 1$/m);
    expect(text).toMatch(/^querylane_refusals_total\{kind="forbidden"\} 1$/m);
    expect(text).toMatch(/^querylane_runs\{status="completed"\} 0$/m);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
  });
});

describe('binding without authentication', () => {
  it('refuses a non-loopback host unless insecure is allowed', async () => {
    const dataDir = freshDataDir();
    onCleanup(() => removeDir(dataDir));
    await expect(startTestServer({ host: '0.0.0.0', dataDir })).rejects.toThrow(
      /Refusing to listen on 0\.0\.0\.0 without authentication/,
    );
  });
});
