// GET /runs/<id>.csv against the real server: every row (far past the kept 1,000), formula cells
// defused, only for the run's owner with a valid token, only for completed runs.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { parseTokens } from '../auth.ts';
import { subscribeAll } from './harness.ts';
import { testClient, testServer } from './scope.ts';

const TOKENS = { alice: 'alice-export-2b7e9d4c1a3f', bob: 'bob-export-6c1f8a2e5d9b' };
const security = {
  auth: {
    mode: 'token' as const,
    tokens: parseTokens(`${TOKENS.alice}:alice,${TOKENS.bob}:bob`),
  },
};

async function finished(client: ReturnType<typeof testClient>, query: string): Promise<string> {
  const { runId } = await client.trpc.runs.start.mutate({ query });
  await subscribeAll(client.trpc, runId);
  return runId;
}

const get = (url: string, token?: string) =>
  fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});

describe('GET /runs/<id>.csv', () => {
  it('streams every row of the query, not only the kept ones, with formulas defused', async () => {
    const server = await testServer({ security });
    const alice = testClient(server.url, { token: TOKENS.alice });
    const sql =
      "SELECT oi.id, CASE WHEN oi.id % 5000 = 1 THEN '=HYPERLINK(\"http://evil\")' ELSE 'x' END AS note, oi.quantity FROM order_items oi ORDER BY oi.id";
    const runId = await finished(alice, sql);
    const run = await alice.trpc.runs.byId.query({ runId });
    expect(run.result?.truncated).toBe(true);
    expect(run.result?.rows).toHaveLength(1000);

    const db = new Database(join(server.dataDir, 'shop.db'), { readonly: true });
    const expected = db.prepare(sql).raw().all() as [number, string, number][];
    db.close();
    expect(expected.length).toBeGreaterThan(100_000);

    const res = await get(`${server.url}/runs/${runId}.csv`, TOKENS.alice);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="querylane-${runId.slice(0, 8)}.csv"`,
    );
    const lines = (await res.text()).split('\r\n');
    expect(lines.at(-1)).toBe('');
    expect(lines[0]).toBe('id,note,quantity');
    expect(lines).toHaveLength(expected.length + 2);
    const field = (note: string) =>
      note.startsWith('=') ? `"'${note.replaceAll('"', '""')}"` : note;
    for (const i of [0, 1, 4999, 5000, expected.length - 1]) {
      const [id, note, quantity] = expected[i]!;
      expect(lines[i + 1]).toBe(`${id},${field(note)},${quantity}`);
    }
    expect(lines[1]).toBe(`${expected[0]![0]},"'=HYPERLINK(""http://evil"")",${expected[0]![2]}`);
  });

  it('answers only the owner with a valid token, and only for a completed run', async () => {
    const server = await testServer({ security });
    const alice = testClient(server.url, { token: TOKENS.alice });
    const runId = await finished(alice, 'SELECT 1 AS one');
    const failed = await finished(alice, 'SELECT nope FROM nowhere');
    const url = `${server.url}/runs/${runId}.csv`;

    expect((await get(url)).status).toBe(401);
    expect((await get(url, 'not-a-token')).status).toBe(401);
    expect((await get(url, TOKENS.bob)).status).toBe(404);
    expect((await get(`${server.url}/runs/${failed}.csv`, TOKENS.alice)).status).toBe(409);
    expect((await fetch(url, { method: 'POST' })).status).toBe(405);
    const ok = await get(url, TOKENS.alice);
    expect(await ok.text()).toBe('one\r\n1\r\n');
    // A bad token is audited like one on /trpc (a missing one is not, there either).
    await server.services.audit.settled();
    const refused = await server.stores.audit.list({ limit: 20, reason: 'unauthorized' });
    expect(refused.map((e) => [e.target, e.detail])).toEqual([['request', { why: 'invalid' }]]);
  });
});
