// The WAL checkpointer: the writer never checkpoints inside a commit; the worker thread copies
// committed pages into the database file on its own, and the store closes with an empty WAL.
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedRun, stageEvent, until } from '@querylane/runs/testing';
import { expect, it } from 'vitest';
import { openSqliteStores } from './index.ts';

it('copies committed pages into the database file from its own thread, never in a commit', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'querylane-checkpoint-'));
  const file = join(dir, 'history.db');
  const stores = openSqliteStores(file);
  try {
    expect(stores.store.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    const before = statSync(file).size;
    await seedRun(stores, { runId: 'r1' });
    for (let seq = 2; seq <= 400; seq++) {
      await stores.history.append('r1', [stageEvent('r1', seq)], { lastSeq: seq });
    }
    // Only a checkpoint writes to the database file in WAL mode, and the writer runs none.
    await until(() => expect(statSync(file).size).toBeGreaterThan(before));
    expect((await stores.history.after('r1', 0, 1000)).map((e) => e.seq)).toEqual(
      Array.from({ length: 400 }, (_, i) => i + 1),
    );
  } finally {
    await stores.close();
  }
  expect(existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0).toBe(0);
  rmSync(dir, { recursive: true, force: true });
});
