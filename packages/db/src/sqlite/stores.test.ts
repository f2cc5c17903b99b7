// The SQLite adapters against the port contracts, on real files, plus what is SQLite's own.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RoomEvent } from '@querylane/contracts';
import { createEventLog, createSequencedLog, MemoryLiveChannel } from '@querylane/runs';
import {
  describeEventLog,
  describeGroupCommit,
  describeRoomLog,
  describeRoomStores,
  describeStores,
} from '@querylane/runs/testing';
import { expect, it } from 'vitest';
import { openSqliteStores } from './index.ts';

function openOnDisk() {
  const dir = mkdtempSync(join(tmpdir(), 'querylane-db-'));
  const stores = openSqliteStores(join(dir, 'history.db'));
  return { stores, dir, dispose: async () => rmSync(dir, { recursive: true, force: true }) };
}

describeStores('SQLite', async () => {
  const { stores, dispose } = openOnDisk();
  return Object.assign(stores, { dispose });
});

describeGroupCommit('SQLite', async () => {
  const { stores, dispose } = openOnDisk();
  return Object.assign(stores, { dispose });
});

describeRoomStores('SQLite', async () => {
  const { stores, dispose } = openOnDisk();
  return Object.assign(stores, { dispose });
});

describeRoomLog('SQLite room history + in-process channel', async () => {
  const { stores, dispose } = openOnDisk();
  return {
    log: createSequencedLog({
      history: stores.roomHistory,
      live: new MemoryLiveChannel<RoomEvent>(),
      isTerminal: (e) => e.type === 'deleted',
    }),
    conversations: stores.conversations,
    async close() {
      await stores.close();
      await dispose();
    },
  };
});

describeEventLog('SQLite history + in-process channel', async () => {
  const { stores, dispose } = openOnDisk();
  return {
    log: createEventLog({ history: stores.history, live: new MemoryLiveChannel() }),
    runs: stores.runs,
    async close() {
      await stores.close();
      await dispose();
    },
  };
});

it('applies the migrations and runs in WAL mode with foreign keys on', async () => {
  const { stores, dispose } = openOnDisk();
  try {
    const { sqlite } = stores.store;
    expect(sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    const tables = sqlite
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite%' ORDER BY name",
      )
      .pluck()
      .all();
    expect(tables).toEqual([
      'audit_log',
      'comments',
      'conversations',
      'datasets',
      'messages',
      'room_events',
      'room_members',
      'run_events',
      'runs',
    ]);
  } finally {
    await stores.close();
    await dispose();
  }
});

it('lists runs without reading a result, and hands the stored result over as it is', async () => {
  const { stores, dispose } = openOnDisk();
  try {
    const at = new Date();
    const run = {
      id: 'r1',
      userId: 'u',
      conversationId: 'c1',
      datasetId: 'shop',
      kind: 'sql' as const,
      query: 'SELECT 1',
    };
    await stores.runs.start({
      conversation: { id: 'c1', userId: 'u', title: 't' },
      run,
      message: {
        id: 'm1',
        conversationId: 'c1',
        userId: 'u',
        role: 'user',
        content: 'q',
        runId: 'r1',
      },
      events: [{ type: 'started', seq: 1, runId: 'r1', at, query: 'SELECT 1', datasetId: 'shop' }],
    });
    // A result no decoder would read: listings and records must not even try.
    stores.store.sqlite.prepare("UPDATE runs SET result = '{not superjson' WHERE id = 'r1'").run();
    const page = await stores.runs.page({ userId: 'u', limit: 10 });
    expect(page.items.map((r) => [r.id, r.hasResult])).toEqual([['r1', true]]);
    expect((await stores.runs.get('r1'))?.hasResult).toBe(true);
    await expect(stores.runs.result('r1')).rejects.toThrow();
    // Handed over unread: only the wire form (a JSON.parse) finds out it is not superjson.
    const encoded = await stores.runs.encodedResult?.('r1');
    expect(encoded).toBeDefined();
    expect(() => encoded?.toWire()).toThrow(SyntaxError);
  } finally {
    await stores.close();
    await dispose();
  }
});
