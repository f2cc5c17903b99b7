// The SQLite adapters against the port contracts, on real files, plus what is SQLite's own.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RoomEvent } from '@querylane/contracts';
import { createEventLog, createSequencedLog, MemoryLiveChannel } from '@querylane/runs';
import {
  describeEventLog,
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
