// Event ingest into the history store, events/s: the store's own write path (the SQLite event
// history's append: one transaction per batch with the run-row update, payloads encoded inside)
// against one raw better-sqlite3 transaction inserting the same events, encoded the same way. A script, not a test: figures vary by machine.
// Writes .bench/db.json for the root `npm run bench` table. Run: npm run bench -w @querylane/db
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunEvent } from '@querylane/contracts';
import { transformer } from '@querylane/contracts/transformer';
import { COMMIT_GAP_MS, createEventLog, MemoryLiveChannel, RunRecorder } from '@querylane/runs';
import { openSqliteStores } from '../src/index.ts';

const EVENTS = 20_000;
const ROUNDS = 3;
const benchDir = fileURLToPath(new URL('../../../.bench/', import.meta.url));

const median = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

const dir = mkdtempSync(join(tmpdir(), 'querylane-db-bench-'));
const stores = openSqliteStores(join(dir, 'querylane.db'));
const { store } = stores;
const conversationId = randomUUID();
await stores.conversations.create({ id: conversationId, userId: 'bench', title: 'bench' });

async function newRun(): Promise<string> {
  const id = randomUUID();
  await stores.runs.start({
    run: { id, userId: 'bench', conversationId, datasetId: 'shop', kind: 'sql', query: 'bench' },
    message: {
      id: randomUUID(),
      conversationId,
      userId: 'bench',
      role: 'user',
      content: 'bench',
      runId: id,
    },
    events: [],
  });
  return id;
}

/** `rows` events as a run records them (seq 1 onwards). */
function events(runId: string): RunEvent[] {
  return Array.from({ length: EVENTS }, (_, i) => ({
    seq: i + 1,
    runId,
    at: new Date(),
    type: 'rows',
    fetched: i * 100,
  }));
}

/** Appends `rows` in batches of `batch`, each in its own transaction with the run's lastSeq. */
async function storePath(batch: number): Promise<number> {
  const runId = await newRun();
  const rows = events(runId);
  const t = performance.now();
  for (let i = 0; i < rows.length; i += batch) {
    const slice = rows.slice(i, i + batch);
    await stores.history.append(runId, slice, { lastSeq: slice.at(-1)?.seq ?? 0 });
  }
  return (EVENTS / (performance.now() - t)) * 1000;
}

const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));
const log = createEventLog({ history: stores.history, live: new MemoryLiveChannel() });

/**
 * A run emitting one event per tick through the write path runs take: its recorder over the
 * event log (group commit, the commit gap) into the store. Timed until every event is stored.
 */
async function recorderPath(): Promise<number> {
  const runId = await newRun();
  const recorder = new RunRecorder(runId, 0, log);
  const t = performance.now();
  for (let i = 1; i <= EVENTS; i++) {
    recorder.emit({ type: 'rows', fetched: i * 100 });
    await nextTick();
  }
  await recorder.flush();
  const elapsed = performance.now() - t;
  const stored = await stores.history.after(runId, 0, EVENTS + 1);
  if (stored.length !== EVENTS || recorder.failure) {
    throw new Error(`the recorder stored ${stored.length} of ${EVENTS} events`);
  }
  return (EVENTS / elapsed) * 1000;
}

const insert = store.sqlite.prepare(
  'INSERT INTO run_events (run_id, seq, type, payload, at) VALUES (?, ?, ?, ?, ?)',
);
const insertAll = store.sqlite.transaction((rows: RunEvent[]) => {
  for (const r of rows)
    insert.run(r.runId, r.seq, r.type, transformer.stringify(r), r.at.getTime());
});

// Where the per-event time goes: the same two statements per event as the store path, but
// raw prepared statements instead of Drizzle, so commit cost and ORM cost separate.
const updateRun = store.sqlite.prepare('UPDATE runs SET last_seq = ? WHERE id = ?');
const appendRaw = store.sqlite.transaction((row: RunEvent) => {
  insert.run(row.runId, row.seq, row.type, transformer.stringify(row), row.at.getTime());
  updateRun.run(row.seq, row.runId);
});

async function rawPerEvent(): Promise<number> {
  const rows = events(await newRun());
  const t = performance.now();
  for (const row of rows) appendRaw(row);
  return (EVENTS / (performance.now() - t)) * 1000;
}

async function singleTransaction(): Promise<number> {
  const rows = events(await newRun());
  const t = performance.now();
  insertAll(rows);
  return (EVENTS / (performance.now() - t)) * 1000;
}

try {
  await storePath(100); // warm-up: statement caches, file growth
  const perEvent: number[] = [];
  const perTick: number[] = [];
  const batched: number[] = [];
  const baseline: number[] = [];
  const raw: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    perEvent.push(await storePath(1));
    perTick.push(await recorderPath());
    batched.push(await storePath(50));
    baseline.push(await singleTransaction());
    raw.push(await rawPerEvent());
  }
  const fmt = (n: number) => `${Math.round(n).toLocaleString('en-US')} events/s`;
  console.log(
    `ingest ${EVENTS.toLocaleString('en-US')} events (median of ${ROUNDS}): ` +
      `a run emitting one per tick ${fmt(median(perTick))}; ` +
      `store, one transaction per event ${fmt(median(perEvent))}; ` +
      `store, 50 per transaction ${fmt(median(batched))}; ` +
      `raw single transaction ${fmt(median(baseline))}; ` +
      `raw statements, one transaction per event ${fmt(median(raw))}`,
  );

  const baselineLabel = 'one raw better-sqlite3 transaction, same events encoded the same way';
  const rows = [
    {
      id: '4',
      measure: `event ingest, a run emitting 1 per tick (its recorder: commits ≥ ${COMMIT_GAP_MS} ms apart)`,
      unit: 'events/s',
      querylane: median(perTick),
      baseline: median(baseline),
      baselineLabel,
    },
    {
      id: '4c',
      measure: 'event ingest into the store alone, one transaction per event',
      unit: 'events/s',
      querylane: median(perEvent),
      baseline: median(baseline),
      baselineLabel,
    },
    {
      id: '4b',
      measure: 'event ingest into the store, 50 events per transaction (a burst in one tick)',
      unit: 'events/s',
      querylane: median(batched),
      baseline: median(baseline),
      baselineLabel,
    },
  ];
  mkdirSync(benchDir, { recursive: true });
  writeFileSync(
    join(benchDir, 'db.json'),
    `${JSON.stringify(
      {
        source: '@querylane/db',
        at: new Date().toISOString(),
        events: EVENTS,
        rows,
        details: { rawStatementsOneTransactionPerEvent: median(raw) },
      },
      null,
      2,
    )}\n`,
  );
} finally {
  await stores.close();
  rmSync(dir, { recursive: true, force: true });
}
