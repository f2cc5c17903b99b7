// The hostile-client suite, part five: SQL that once froze or filled the server. Against the real
// server process, the engine runs each in a worker under the run's deadline and budgets; the
// server answers health throughout, and every run ends with a clear code.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshDataDir, removeDir, subscribeAll } from '../harness.ts';
import { startServerProcess } from '../process.ts';
import { onCleanup } from '../scope.ts';
import {
  ENGINE_ATTACKS,
  ENGINE_ENV,
  type EngineRound,
  endOf,
  engineAttack,
} from './attacks-engine.ts';
import { expectSurvived, HOSTILE_TIMEOUT_MS, hostileTarget } from './expect.ts';
import { type Siege, siege, startTarget, type Target } from './kit.ts';

describe('SQL a client controls', () => {
  // One server for these: each attack is judged on its own window, the witness after each.
  let target: Target;
  beforeAll(async () => {
    target = await startTarget(ENGINE_ENV);
    return () => target.stop();
  }, HOSTILE_TIMEOUT_MS);

  async function attack(query: string, seconds = 1): Promise<Siege<EngineRound[]>> {
    const result = await siege(target, seconds, (signal, begun) =>
      engineAttack(target, query, signal, begun),
    );
    await expectSurvived(target, result);
    expect(result.outcome.length).toBeGreaterThan(0);
    return result;
  }

  const cases: [keyof typeof ENGINE_ATTACKS, string[]][] = [
    ['compileBomb', ['TIMEOUT', 'RESOURCE_LIMIT']],
    ['zeroblob', ['RESULT_TOO_LARGE']],
    ['manyBlobs', ['RESULT_TOO_LARGE', 'completed:truncated']],
    ['wide', ['completed:truncated']],
    ['hugeText', ['RESULT_TOO_LARGE', 'RESOURCE_LIMIT']],
    ['endlessSort', ['RESOURCE_LIMIT']],
    ['parameter', ['SQL_SYNTAX']],
    ['pathProbe', ['SQL_FORBIDDEN']],
  ];
  for (const [name, ends] of cases) {
    it(
      `${name}: every run ends ${ends.join(' or ')}`,
      async () => {
        const { outcome } = await attack(ENGINE_ATTACKS[name]);
        for (const round of outcome) expect(ends).toContain(endOf(round));
        // A compile that never finished planned nothing: no plan event of any size was stored.
        if (name === 'compileBomb') {
          for (const round of outcome)
            expect(round.events.map((e) => e.type)).not.toContain('plan');
        }
      },
      HOSTILE_TIMEOUT_MS,
    );
  }

  it(
    'progress at its floor (5 ms): a million rows make a bounded number of rows events',
    async () => {
      const { outcome } = await attack(ENGINE_ATTACKS.progressFlood);
      for (const round of outcome) {
        expect(endOf(round)).toBe('completed:truncated');
        const rows = round.events.filter((e) => e.type === 'rows');
        const first = round.events[0]?.at.getTime() ?? 0;
        const last = round.events.at(-1)?.at.getTime() ?? 0;
        // One per 5 ms at most (and the last count), never one per row.
        expect(rows.length).toBeLessThanOrEqual((last - first) / 5 + 2);
        expect(rows.length).toBeLessThan(1_000);
      }
    },
    HOSTILE_TIMEOUT_MS,
  );
});

it(
  'a user dataset damaged after start-up: datasets.list still answers, runs on it fail clearly',
  async () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'querylane-damaged-')));
    onCleanup(() => removeDir(dir));
    const file = join(dir, 'sales.db');
    const db = new Database(file);
    db.exec(
      'CREATE TABLE deals (id INTEGER PRIMARY KEY, amount REAL); INSERT INTO deals VALUES (1, 2.5)',
    );
    db.close();
    const target = await hostileTarget({ QUERYLANE_DATASETS: `sales=${file}` });
    writeFileSync(file, Buffer.alloc(64 * 1024, 0x5a));
    const attack = await siege(target, 3, async (signal, begun) => {
      const lists: unknown[] = [];
      while (!signal.aborted) {
        const list = target.client.trpc.datasets.list.query();
        begun();
        lists.push(await list);
      }
      return lists;
    });
    await expectSurvived(target, attack);
    for (const list of attack.outcome) {
      expect(
        (list as { id: string; available: boolean }[]).map((d) => [d.id, d.available]),
      ).toEqual([
        ['shop', true],
        ['sales', false],
      ]);
    }
    const { runId } = await target.client.trpc.runs.start.mutate({
      query: 'SELECT * FROM deals',
      datasetId: 'sales',
    });
    const end = (await subscribeAll(target.client.trpc, runId)).at(-1);
    expect(end?.type === 'failed' && end.error.code).toBe('DATASET_UNAVAILABLE');
  },
  HOSTILE_TIMEOUT_MS,
);

it(
  'a FIFO named as a dataset: start-up is refused at once, it does not hang',
  async () => {
    const dataDir = freshDataDir();
    onCleanup(() => removeDir(dataDir));
    const fifo = join(dataDir, 'pipe.db');
    execFileSync('mkfifo', [fifo]);
    await expect(
      startServerProcess({ dataDir, env: { QUERYLANE_DATASETS: `pipe=${fifo}` } }),
    ).rejects.toThrow(/Cannot open dataset "pipe" .*not a regular file/);
  },
  HOSTILE_TIMEOUT_MS,
);
