// The question pipeline with a model: a real HTTP server speaking the chat-completions protocol
// (streamed), reached through the real `openai` client. What the test scripts is only the
// model's text; validation, retries, review and fallbacks are the pipeline's own.
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Result, RunEventInput } from '@querylane/contracts';
import { QueryError, RunCancelledError } from '@querylane/runs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DatasetRegistry } from '../datasets.ts';
import { DEFAULT_RUN_LIMITS } from '../limits.ts';
import { SqlWorkerPool } from '../pool.ts';
import { freshShopDir } from '../testing.ts';
import { poolExecutor } from './execute.ts';
import { createModelClient } from './model-client.ts';
import { SemanticModels } from './models.ts';
import type { ConversationTurn } from './prompts.ts';
import { createQuestionPipeline } from './question-pipeline.ts';
import {
  type ScriptedModel,
  type ScriptedReply,
  type ScriptedRequest,
  startScriptedModel,
} from './scripted-model.ts';

let dir: string;
let registry: DatasetRegistry;
let models: SemanticModels;
let server: ScriptedModel | undefined;
let pool: SqlWorkerPool;

beforeAll(() => {
  pool = new SqlWorkerPool({ size: 2 });
  dir = freshShopDir('querylane-ask-model-');
  registry = DatasetRegistry.open({ dataDir: dir });
  models = new SemanticModels(registry);
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  expect(pool.busyPids()).toEqual([]);
});
afterAll(async () => {
  await pool?.close();
  registry?.close();
  rmSync(dir, { recursive: true, force: true });
});

// The offline translator does not know "doing", so these go to the model.
const QUESTION = 'How is the web channel doing?';
const GOOD_SQL =
  "SELECT o.channel, count(*) AS orders FROM orders o WHERE o.channel = 'web' GROUP BY o.channel";
const sqlReply = (sql: string): ScriptedReply => ({
  text: `Reading: orders on the web channel\n\`\`\`sql\n${sql}\n\`\`\``,
  chunks: 4,
});
const isSql = (r: ScriptedRequest) =>
  r.messages[0]?.content.startsWith('You translate questions') === true;

async function scripted(sql: ScriptedReply[], answers: ScriptedReply[] = []) {
  let s = 0;
  let a = 0;
  server = await startScriptedModel((r) =>
    isSql(r) ? (sql[s++] ?? { status: 500 }) : (answers[a++] ?? { status: 500 }),
  );
  return server;
}

function ask(
  url: string,
  opts: {
    question?: string;
    sendRows?: number;
    timeoutMs?: number;
    signal?: AbortSignal;
    history?: ConversationTurn[];
  } = {},
) {
  const events: RunEventInput[] = [];
  const saved: Result[] = [];
  const model = createModelClient({
    url,
    model: 'scripted',
    stageTimeoutMs: opts.timeoutMs ?? 20_000,
    sendRows: opts.sendRows ?? 0,
    maxRetries: 0,
  });
  const pipeline = createQuestionPipeline({
    models,
    executor: poolExecutor(registry, pool),
    model,
    history: async () => opts.history ?? [],
  });
  const promise = pipeline.run(
    {
      runId: 'r',
      userId: 'u',
      conversationId: 'c',
      datasetId: 'shop',
      kind: 'question',
      query: opts.question ?? QUESTION,
    },
    {
      emit: (e) => events.push(e),
      signal: opts.signal ?? new AbortController().signal,
      limits: { ...DEFAULT_RUN_LIMITS },
      finalize: async (r) => {
        saved.push(r);
      },
    },
  );
  return { events, saved, promise };
}

const retries = (events: RunEventInput[]) => events.filter((e) => e.type === 'retry');
const webOrders = () =>
  registry
    .connection('shop')
    .prepare("SELECT count(*) FROM orders WHERE channel = 'web'")
    .pluck()
    .get() as number;

describe('question pipeline with a model', () => {
  it('sends a made-up column back with the nearest real one, then completes with the good query', async () => {
    const model = await scripted([
      sqlReply('SELECT count(*) FROM orders o WHERE o.sales_channel = 1'),
      sqlReply(GOOD_SQL),
    ]);
    const { events, promise } = ask(model.url);
    const result = await promise;
    expect(result).toMatchObject({
      generator: 'model',
      sql: GOOD_SQL,
      reading: 'orders on the web channel',
      rows: [['web', expect.any(Number)]],
    });
    expect(retries(events)).toEqual([
      {
        type: 'retry',
        stage: 'validate',
        attempt: 2,
        maxAttempts: 3,
        reason: 'Table `orders` has no column `sales_channel`. Did you mean `channel`?',
      },
    ]);
    // The second request carried the first query and why it was invalid.
    expect(model.requests).toHaveLength(2);
    expect(model.requests[1]?.messages.at(-1)?.content).toBe(
      'That query is invalid: Table `orders` has no column `sales_channel`. Did you mean `channel`? Reply with a corrected query.',
    );
    expect(model.requests[0]?.messages[0]?.content).toContain(
      "channel values: 'web', 'mobile_app', 'marketplace', 'phone'",
    );
  });

  it('fails with SQL_GENERATION_FAILED and the last error after three bad queries', async () => {
    const model = await scripted([
      sqlReply('SELECT nope FROM orders'),
      sqlReply('SELECT * FROM ordrs'),
      sqlReply('DELETE FROM orders'),
    ]);
    const { events, saved, promise } = ask(model.url);
    const error = (await promise.catch((e: unknown) => e)) as QueryError;
    expect(error).toBeInstanceOf(QueryError);
    expect(error).toMatchObject({
      code: 'SQL_GENERATION_FAILED',
      retryable: true,
      details: { sql: 'DELETE FROM orders' },
    });
    expect(error.message).toBe(
      'No valid query after 3 attempts; the last one failed: A question is answered by one SELECT query, not DELETE.',
    );
    expect(retries(events).map((e) => e.type === 'retry' && [e.attempt, e.reason])).toEqual([
      [2, 'no such column: nope'],
      [3, 'There is no table `ordrs`. Did you mean `orders`?'],
    ]);
    expect(saved).toEqual([]);
  });

  it('reviews the answer: a wrong number goes back with its fault, the right one is kept', async () => {
    const web = webOrders();
    const right = `The **web** channel has ${web.toLocaleString('en-US')} orders.`;
    const model = await scripted(
      [sqlReply(GOOD_SQL)],
      [
        { text: 'The web channel has 1,000,000 orders.', chunks: 3 },
        { text: right, chunks: 5 },
      ],
    );
    const { events, saved, promise } = ask(model.url, { sendRows: 5 });
    const result = await promise;
    expect(result.answer).toBe(right);
    expect(saved[0]?.answer).toBe(right);
    expect(retries(events)).toEqual([
      {
        type: 'retry',
        stage: 'review',
        attempt: 2,
        maxAttempts: 3,
        reason: 'the number 1,000,000 is not in the result',
      },
    ]);
    expect(model.requests[2]?.messages.at(-1)?.content).toBe(
      'These claims do not match the result: the number 1,000,000 is not in the result. Rewrite the answer using only the result.',
    );
    // The answer streamed per attempt; each attempt's pieces add up to what the model wrote.
    const text = (attempt: number) =>
      events
        .flatMap((e) => (e.type === 'answer' && e.attempt === attempt ? [e.delta] : []))
        .join('');
    expect([text(1), text(2)]).toEqual(['The web channel has 1,000,000 orders.', right]);
    // The model saw the rows it may see: the header and the one row.
    expect(model.requests[1]?.messages[1]?.content).toContain(
      `| channel | orders |\n| --- | --- |\n| web | ${web} |`,
    );
  });

  it('falls back to the template when every answer is wrong, and stores no wrong number', async () => {
    const wrong = { text: 'Web has 999 orders, the highest of all.', chunks: 2 };
    const model = await scripted([sqlReply(GOOD_SQL)], [wrong, wrong, wrong]);
    const { events, saved, promise } = ask(model.url, { sendRows: 5 });
    const result = await promise;
    expect(retries(events).map((e) => e.type === 'retry' && [e.stage, e.attempt])).toEqual([
      ['review', 2],
      ['review', 3],
    ]);
    expect(model.requests).toHaveLength(4);
    const web = webOrders().toLocaleString('en-US');
    expect(result.answer).toBe(`Orders on the web channel: **web** with orders **${web}**.`);
    expect(saved[0]?.answer).not.toContain('999');
    const last = events.filter((e) => e.type === 'answer').at(-1);
    expect(last).toEqual({ type: 'answer', attempt: 4, delta: result.answer });
  });

  it('sends the earlier turns of the conversation with a follow-up', async () => {
    const model = await scripted([sqlReply(GOOD_SQL)]);
    const history = [
      {
        question: 'How is the phone channel doing?',
        sql: "SELECT count(*) FROM orders WHERE channel = 'phone'",
      },
    ];
    await ask(model.url, { question: 'and the web one, how is it doing?', history }).promise;
    const messages = model.requests[0]?.messages.slice(1).map((m) => [m.role, m.content]);
    expect(messages).toEqual([
      ['user', 'How is the phone channel doing?'],
      ['assistant', "```sql\nSELECT count(*) FROM orders WHERE channel = 'phone'\n```"],
      ['user', 'and the web one, how is it doing?'],
    ]);
  });

  it('coalesces a fast stream of pieces into fewer answer events', async () => {
    const web = webOrders().toLocaleString('en-US');
    const text = `The **web** channel has ${web} orders, counted over every order in the data.`;
    const model = await scripted([sqlReply(GOOD_SQL)], [{ text, chunks: text.length }]);
    const { events, promise } = ask(model.url, { sendRows: 5 });
    expect((await promise).answer).toBe(text);
    const answers = events.filter((e) => e.type === 'answer');
    expect(answers.map((e) => e.type === 'answer' && e.delta).join('')).toBe(text);
    expect(answers.length).toBeLessThan(text.length);
  });
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((r) => probe.close(() => r()));
  return port;
}

describe('when the model misbehaves', () => {
  it('fails MODEL_UNAVAILABLE, retryable, when the endpoint is down', async () => {
    const error = (await ask(`http://127.0.0.1:${await closedPort()}/v1`).promise.catch(
      (e: unknown) => e,
    )) as QueryError;
    expect(error).toMatchObject({ code: 'MODEL_UNAVAILABLE', retryable: true });
    expect(error.message).toMatch(/cannot be reached/);
  });

  it('answers an offline question from the template when the model is down at answer time', async () => {
    const { events, promise } = ask(`http://127.0.0.1:${await closedPort()}/v1`, {
      question: 'How many orders are there?',
      sendRows: 5,
    });
    const result = await promise;
    expect(result).toMatchObject({ generator: 'offline', answer: 'Count of orders: **83,000**.' });
    const review = events
      .filter((e) => e.type === 'stage' && e.stage === 'review')
      .map((e) => e.type === 'stage' && e.message);
    expect(review).toEqual([
      expect.stringMatching(/cannot be reached\. Answering from the template\.$/),
    ]);
  });

  it('fails MODEL_UNAVAILABLE when a stage runs past its timeout', async () => {
    const model = await scripted([{ hang: true }]);
    // Long enough for the request to reach the scripted server on a loaded machine, so that
    // there is a request to see aborted.
    const error = (await ask(model.url, { timeoutMs: 2_000 }).promise.catch(
      (e: unknown) => e,
    )) as QueryError;
    expect(error).toMatchObject({
      code: 'MODEL_UNAVAILABLE',
      message: 'The model did not finish within 2000 ms.',
    });
    await vi.waitFor(() => expect(model.requests[0]?.aborted).toBe(true), { timeout: 10_000 });
  });

  it('aborts the model request at once on cancel', async () => {
    const model = await scripted([{ text: 'x'.repeat(50), chunks: 50, delayMs: 200 }]);
    const controller = new AbortController();
    const { promise } = ask(model.url, { signal: controller.signal });
    await vi.waitFor(() => expect(model.requests).toHaveLength(1));
    controller.abort('Cancelled by test');
    await expect(promise).rejects.toBeInstanceOf(RunCancelledError);
    await vi.waitFor(() => expect(model.requests[0]?.aborted).toBe(true));
    expect(model.requests[0]?.finished).toBe(false);
  });

  it('turns NOT_ANSWERABLE into a refusal with examples', async () => {
    const model = await scripted([{ text: 'NOT_ANSWERABLE: the data has no weather.' }]);
    const error = (await ask(model.url, { question: 'Will it rain tomorrow?' }).promise.catch(
      (e: unknown) => e,
    )) as QueryError;
    expect(error).toMatchObject({
      code: 'NOT_UNDERSTOOD',
      message: 'This cannot be answered from the dataset: the data has no weather.',
    });
    expect(error.details?.examples?.length).toBeGreaterThan(0);
  });
});
