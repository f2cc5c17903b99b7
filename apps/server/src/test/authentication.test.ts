// Authentication with a token list against the real server on port 0, with the real
// @trpc/client (token in connectionParams and Bearer), and isolation between users.
import { describe, expect, it } from 'vitest';
import {
  client,
  codeOf,
  refusals,
  serve,
  subscriptionError,
  TOKENS,
  tokenAuth,
} from './security-helpers.ts';

describe('authentication with tokens', () => {
  it('gives no data without good credentials, over HTTP and WebSocket; health stays public', async () => {
    const { server, logged } = await serve({ auth: tokenAuth });
    const { runId } = await client(server.url, { token: TOKENS.alice }).runs.start.mutate({
      query: 'SELECT 1',
    });

    for (const token of [undefined, 'not-a-token']) {
      const anon = client(server.url, token ? { token } : {});
      expect(await codeOf(anon.runs.list.query())).toBe('UNAUTHORIZED');
      expect(await codeOf(anon.runs.byId.query({ runId }))).toBe('UNAUTHORIZED');
      expect(await codeOf(anon.runs.start.mutate({ query: 'SELECT 1' }))).toBe('UNAUTHORIZED');
      const err = await subscriptionError((cb) => anon.runs.events.subscribe({ runId }, cb));
      expect(err.data?.code).toBe('UNAUTHORIZED');
      expect((await anon.health.query()).ok).toBe(true);
      expect(await anon.session.query()).toEqual({
        authMode: 'token',
        user: null,
        sharing: { enabled: true, reason: null, maxMembers: 20 },
      });
    }
    // Plain HTTP says 401 too.
    const res = await fetch(`${server.url}/trpc/runs.list`, {
      headers: { authorization: 'Bearer wrong' },
    });
    expect(res.status).toBe(401);
    expect((await fetch(`${server.url}/trpc/health`)).status).toBe(200);

    const rows = await refusals(server, 'unauthorized');
    expect(new Set(rows.map((r) => (r.detail as { why: string }).why))).toEqual(
      new Set(['missing', 'invalid']),
    );
    // No token is written anywhere: not in the audit log, not in the server's log.
    const stored = JSON.stringify(await server.stores.audit.list({ limit: 100 }));
    for (const secret of [...Object.values(TOKENS), 'not-a-token']) {
      expect(stored).not.toContain(secret);
      expect(logged.join('\n')).not.toContain(secret);
    }
    expect(await client(server.url, { token: TOKENS.root }).session.query()).toEqual({
      authMode: 'token',
      user: { id: 'root', role: 'admin' },
      sharing: { enabled: true, reason: null, maxMembers: 20 },
    });
  });

  it("keeps two users apart over the wire: another user's things are NOT_FOUND", async () => {
    const { server } = await serve({ auth: tokenAuth });
    const alice = client(server.url, { token: TOKENS.alice });
    const bob = client(server.url, { token: TOKENS.bob });
    const { runId, conversationId } = await alice.runs.start.mutate({ query: 'SELECT 7 AS n' });
    const events: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const sub = alice.runs.events.subscribe(
        { runId },
        {
          onData: ({ data }) => events.push(data.type),
          onError: reject,
          onComplete: () => {
            sub.unsubscribe();
            resolve();
          },
        },
      );
    });
    expect(events.at(-1)).toBe('completed');

    expect(await codeOf(bob.runs.byId.query({ runId }))).toBe('NOT_FOUND');
    expect(await codeOf(bob.runs.cancel.mutate({ runId }))).toBe('NOT_FOUND');
    expect(await codeOf(bob.conversations.byId.query({ conversationId }))).toBe('NOT_FOUND');
    expect(await codeOf(bob.conversations.rename.mutate({ conversationId, title: 'taken' }))).toBe(
      'NOT_FOUND',
    );
    expect(await codeOf(bob.conversations.delete.mutate({ conversationId }))).toBe('NOT_FOUND');
    expect(await codeOf(bob.runs.start.mutate({ query: 'SELECT 1', conversationId }))).toBe(
      'NOT_FOUND',
    );
    const streamed = await subscriptionError((cb) => bob.runs.events.subscribe({ runId }, cb));
    expect(streamed.data?.code).toBe('NOT_FOUND');
    expect(await bob.conversations.list.query()).toEqual({ items: [], nextCursor: null });
    expect((await alice.conversations.byId.query({ conversationId })).title).toBe('SELECT 7 AS n');
  });
});
