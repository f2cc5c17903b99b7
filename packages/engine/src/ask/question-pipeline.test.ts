import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Result, RunEventInput } from '@querylane/contracts';
import { QueryError, RunCancelledError } from '@querylane/runs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetRegistry } from '../datasets.ts';
import { DEFAULT_RUN_LIMITS } from '../limits.ts';
import { SqlWorkerPool } from '../pool.ts';
import { createLibraryDataset, freshShopDir } from '../testing.ts';
import { poolExecutor } from './execute.ts';
import { SemanticModels } from './models.ts';
import type { ConversationTurn } from './prompts.ts';
import { createQuestionPipeline } from './question-pipeline.ts';

let dir: string;
let registry: DatasetRegistry;
let models: SemanticModels;
let pool: SqlWorkerPool;

beforeAll(() => {
  pool = new SqlWorkerPool({ size: 2 });
  dir = freshShopDir('querylane-ask-');
  createLibraryDataset(join(dir, 'library.db'));
  registry = DatasetRegistry.open({
    dataDir: dir,
    datasets: [{ id: 'library', path: join(dir, 'library.db') }],
  });
  models = new SemanticModels(registry);
});

afterAll(async () => {
  await pool?.close();
  registry?.close();
  rmSync(dir, { recursive: true, force: true });
});

const limits = { ...DEFAULT_RUN_LIMITS };

function ask(
  question: string,
  opts: { datasetId?: string; history?: ConversationTurn[]; signal?: AbortSignal } = {},
) {
  const events: RunEventInput[] = [];
  const saved: Result[] = [];
  const pipeline = createQuestionPipeline({
    models,
    executor: poolExecutor(registry, pool),
    history: async () => opts.history ?? [],
  });
  const promise = pipeline.run(
    {
      runId: 'r1',
      userId: 'u',
      conversationId: 'c',
      datasetId: opts.datasetId ?? 'shop',
      kind: 'question',
      query: question,
    },
    {
      emit: (e) => events.push(e),
      signal: opts.signal ?? new AbortController().signal,
      limits,
      finalize: async (r) => {
        saved.push(r);
      },
    },
  );
  return { events, saved, promise };
}

const stagesOf = (events: RunEventInput[]) => [
  ...new Set(events.flatMap((e) => (e.type === 'stage' ? [e.stage] : []))),
];

describe('question pipeline, offline', () => {
  it('answers through every stage with the SQL, the reading, the answer and the generator', async () => {
    const { events, saved, promise } = ask('Revenue by channel in 2024');
    const result = await promise;
    expect(stagesOf(events)).toEqual([
      'understand',
      'generate',
      'validate',
      'execute',
      'interpret',
      'review',
      'finalize',
    ]);
    const progress = events.flatMap((e) => (e.type === 'stage' ? [e.progress] : []));
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(result.generator).toBe('offline');
    expect(result.reading).toBe('sum of revenue by channel, 2024');
    expect(result.sql).toContain("o.order_date >= '2024-01-01' AND o.order_date < '2025-01-01'");
    expect(result.rows.map((r) => r[0])).toEqual(['web', 'mobile_app', 'marketplace', 'phone']);
    const web = result.rows[0]?.[1] as number;
    expect(result.answer).toContain('**web** has the highest revenue');
    expect(result.answer).toContain(
      new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 }).format(web),
    );
    // The template answer is streamed as one answer event, before the review.
    const answers = events.filter((e) => e.type === 'answer');
    expect(answers).toEqual([{ type: 'answer', attempt: 1, delta: result.answer }]);
    expect(saved).toEqual([result]);
    expect(pool.busyPids()).toEqual([]);
  });

  it('refuses what it does not understand with what it understood and examples that work', async () => {
    const { events, saved, promise } = ask('What is the weather in Paris?');
    const error = await promise.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryError);
    const q = error as QueryError;
    expect(q.code).toBe('NOT_UNDERSTOOD');
    expect(q.retryable).toBe(false);
    expect(q.details?.unknownWords).toEqual(['weather']);
    expect(q.details?.understood).toEqual(['"paris" → city Paris']);
    expect(q.details?.examples?.length).toBeGreaterThanOrEqual(3);
    // Every example offered is answered.
    for (const example of q.details?.examples ?? []) {
      await expect(ask(example).promise).resolves.toMatchObject({ generator: 'offline' });
    }
    expect(stagesOf(events)).toEqual(['understand']);
    expect(saved).toEqual([]);
  });

  it('refuses an ambiguous question with its candidate readings', async () => {
    const error = (await ask('Revenue per customer').promise.catch(
      (e: unknown) => e,
    )) as QueryError;
    expect(error.code).toBe('AMBIGUOUS');
    expect(error.details?.readings).toEqual(['sum of revenue by customer', 'average per customer']);
  });

  it('reads a follow-up against the earlier turns', async () => {
    const history = [{ question: 'Revenue by category' }, { question: 'and by channel?' }];
    const result = await ask('only 2024', { history }).promise;
    expect(result.reading).toBe('sum of revenue by category and channel, 2024');
    expect(result.rowCount).toBe(40);
  });

  it('runs text that is plainly SQL as written, and English that starts like SQL as a question', async () => {
    const english = await ask('Select the top 5 products by revenue').promise;
    expect(english).toMatchObject({
      reading: 'top 5 products by sum of revenue',
      generator: 'offline',
    });
    const typo = (await ask('SELECT count(*) FROM ordrs').promise.catch(
      (e: unknown) => e,
    )) as QueryError;
    expect(typo).toMatchObject({
      code: 'SQL_SYNTAX',
      message: 'There is no table `ordrs`. Did you mean `orders`?',
    });
    const result = await ask('SELECT count(*) AS n FROM orders').promise;
    expect(result).toMatchObject({
      sql: 'SELECT count(*) AS n FROM orders',
      reading: 'the SQL as written',
      rows: [[83_000]],
    });
  });

  it('answers on a dataset with an inferred model', async () => {
    const result = await ask('Top 3 authors by number of books', { datasetId: 'library' }).promise;
    expect(result.columns.map((c) => c.name)).toEqual(['full_name', 'book_count']);
    expect(result.rows).toHaveLength(3);
    expect(
      result.answer?.split('\n').filter((l) => /^\d\. \*\*Author [A-L]\*\*: \d+$/.test(l)),
    ).toHaveLength(3);
  });

  it('stops at once when cancelled, leaving no worker behind', async () => {
    const controller = new AbortController();
    controller.abort('Cancelled by test');
    await expect(
      ask('How many orders?', { signal: controller.signal }).promise,
    ).rejects.toBeInstanceOf(RunCancelledError);
    expect(pool.busyPids()).toEqual([]);
  });
});
