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
  expect(tables).toEqual(['conversations', 'datasets', 'messages', 'run_events', 'runs']);
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
