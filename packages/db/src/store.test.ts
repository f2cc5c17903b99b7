// The store on a real file: migrations, WAL, and all-or-nothing event batches.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { openStore, type Store } from './client.ts';
import { createRepositories } from './repositories.ts';

let dir: string;
let store: Store;
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function open() {
  dir = mkdtempSync(join(tmpdir(), 'querylane-db-'));
  store = openStore(join(dir, 'history.db'));
  const repos = createRepositories(store.db);
  repos.conversations.create({ id: 'c1', userId: 'u1', title: 'first' });
  repos.runs.create({
    id: 'r1',
    userId: 'u1',
    conversationId: 'c1',
    datasetId: 'shop',
    query: 'q',
  });
  return repos;
}

const event = (seq: number) => ({
  runId: 'r1',
  seq,
  type: 'stage',
  payload: `{"seq":${seq}}`,
  at: new Date(1_700_000_000_000 + seq),
});

it('applies the migrations and runs in WAL mode with foreign keys on', () => {
  open();
  expect(store.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
  expect(store.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
  const tables = store.sqlite
    .prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite%' ORDER BY name",
    )
    .pluck()
    .all();
  expect(tables).toEqual([
    'audit_log',
    'conversations',
    'datasets',
    'messages',
    'run_events',
    'runs',
  ]);
});

it('writes an event batch and the run state together, or neither', () => {
  const repos = open();
  repos.events.append([event(1), event(2)], 'r1', { lastSeq: 2, progress: 10 });
  expect(repos.events.after('r1', 0, 10).map((e) => e.seq)).toEqual([1, 2]);
  expect(repos.runs.get('r1')).toMatchObject({ lastSeq: 2, progress: 10 });

  // seq 2 again violates the primary key: the whole batch and the patch roll back.
  expect(() => repos.events.append([event(3), event(2)], 'r1', { lastSeq: 3 })).toThrow();
  expect(repos.events.after('r1', 0, 10).map((e) => e.seq)).toEqual([1, 2]);
  expect(repos.runs.get('r1')?.lastSeq).toBe(2);
  expect(repos.events.after('r1', 1, 10).map((e) => e.seq)).toEqual([2]);
});

it('orders messages by position and cascades a conversation delete', () => {
  const repos = open();
  for (const [i, role] of (['user', 'assistant', 'user'] as const).entries()) {
    repos.messages.append({
      id: `m${i}`,
      conversationId: 'c1',
      userId: 'u1',
      role,
      content: `${i}`,
      runId: 'r1',
    });
  }
  expect(repos.messages.listByConversation('c1').map((m) => [m.position, m.role])).toEqual([
    [1, 'user'],
    [2, 'assistant'],
    [3, 'user'],
  ]);
  repos.events.append([event(1)], 'r1', { lastSeq: 1 });
  expect(repos.conversations.delete('other-user', 'c1')).toBe(false);
  expect(repos.conversations.delete('u1', 'c1')).toBe(true);
  expect(repos.runs.get('r1')).toBeUndefined();
  expect(repos.events.count('r1')).toBe(0);
  expect(repos.messages.listByConversation('c1')).toEqual([]);
});

it('pages the audit log newest first, filters it and prunes the oldest rows', () => {
  const repos = open();
  const ids = [1, 2, 3, 4, 5].map(
    (i) =>
      repos.audit.append({
        kind: i % 2 ? 'refused' : 'run_cancelled',
        reason: i % 2 ? 'origin' : null,
        userId: `u${i}`,
        ip: '127.0.0.1',
        target: null,
        detail: { i },
      }).id,
  );
  expect(repos.audit.list({ limit: 2 }).map((r) => r.id)).toEqual([ids[4], ids[3]]);
  expect(repos.audit.list({ limit: 2, beforeId: ids[3] }).map((r) => r.id)).toEqual([
    ids[2],
    ids[1],
  ]);
  expect(repos.audit.list({ limit: 10, kind: 'run_cancelled' }).map((r) => r.userId)).toEqual([
    'u4',
    'u2',
  ]);
  expect(repos.audit.list({ limit: 10, reason: 'origin' })).toHaveLength(3);
  expect(repos.audit.list({ limit: 1 })[0]?.detail).toEqual({ i: 5 });

  expect(repos.audit.prune(2)).toBe(3);
  expect(repos.audit.list({ limit: 10 }).map((r) => r.id)).toEqual([ids[4], ids[3]]);
  expect(repos.audit.prune(2)).toBe(0);
  // Ids are never reused after a prune, so a cursor from before it stays meaningful.
  const next = repos.audit.append({ kind: 'admin_broadcast', detail: null });
  expect(next.id).toBeGreaterThan(ids[4] ?? 0);
});

it('counts runs per status across users', () => {
  const repos = open();
  repos.conversations.create({ id: 'c2', userId: 'u2', title: 'second' });
  for (const id of ['r2', 'r3']) {
    repos.runs.create({ id, userId: 'u2', conversationId: 'c2', datasetId: 'shop', query: 'q' });
  }
  repos.runs.update('r3', { status: 'completed' });
  expect(repos.runs.countByStatus()).toEqual({ queued: 2, completed: 1 });
});

it('moves a run along with each batch, and applies any other change with it', () => {
  const repos = open();
  repos.events.append([event(1)], 'r1', { lastSeq: 1 });
  expect(repos.runs.get('r1')).toMatchObject({ lastSeq: 1, stage: null, progress: 0 });
  repos.events.append([event(2), event(3)], 'r1', { lastSeq: 3, stage: 'execute', progress: 41 });
  expect(repos.runs.get('r1')).toMatchObject({ lastSeq: 3, stage: 'execute', progress: 41 });
  // A batch that says nothing of stage or progress leaves them as they were.
  repos.events.append([event(4)], 'r1', { lastSeq: 4 });
  expect(repos.runs.get('r1')).toMatchObject({ lastSeq: 4, stage: 'execute', progress: 41 });
  const finishedAt = new Date(1_700_000_000_500);
  repos.events.append([event(5)], 'r1', {
    lastSeq: 5,
    status: 'completed',
    progress: 100,
    finishedAt,
  });
  expect(repos.runs.get('r1')).toMatchObject({
    lastSeq: 5,
    status: 'completed',
    stage: 'execute',
    progress: 100,
    finishedAt,
  });
  expect(repos.events.after('r1', 0, 10).map((e) => [e.seq, e.at])).toEqual(
    [1, 2, 3, 4, 5].map((seq) => [seq, event(seq).at]),
  );
});
