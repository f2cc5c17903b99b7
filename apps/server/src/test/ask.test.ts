// Questions in plain words through the real server and the real tRPC client: offline answers,
// refusals, and the model path against a scripted OpenAI-compatible endpoint (a real HTTP server
// streaming chat completions, reached through the `openai` client).
import { createServer } from 'node:net';
import type { AppRouter, RunEventOutput } from '@querylane/api';
import type { ModelConfig } from '@querylane/engine';
import {
  type ScriptedReply,
  type ScriptedRequest,
  startScriptedModel,
} from '@querylane/engine/testing';
import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import { subscribeAll } from './harness.ts';
import { onCleanup, testClient, testServer, until } from './scope.ts';

const GOOD_SQL =
  "SELECT o.channel, count(*) AS orders FROM orders o WHERE o.channel = 'web' GROUP BY o.channel";
const sqlReply = (sql: string): ScriptedReply => ({
  text: `Reading: web orders\n\`\`\`sql\n${sql}\n\`\`\``,
  chunks: 3,
});
const isSql = (r: ScriptedRequest) =>
  r.messages[0]?.content.startsWith('You translate questions') === true;
// Offline, "doing" is an unknown word: the model gets these.
const QUESTION = 'How is the web channel doing?';

type Reply = ScriptedReply | ((request: ScriptedRequest) => ScriptedReply);

/** A scripted model and a server that asks it; answers come from the template unless rows may be sent. */
async function withModel(sql: Reply[], answers: Reply[] = [], config: Partial<ModelConfig> = {}) {
  let s = 0;
  let a = 0;
  const pick = (list: Reply[], i: number, r: ScriptedRequest): ScriptedReply => {
    const reply = list[i] ?? { status: 500 };
    return typeof reply === 'function' ? reply(r) : reply;
  };
  const model = await startScriptedModel((r) =>
    isSql(r) ? pick(sql, s++, r) : pick(answers, a++, r),
  );
  onCleanup(() => model.close());
  const server = await testServer({
    model: {
      url: model.url,
      model: 'scripted',
      stageTimeoutMs: 20_000,
      sendRows: answers.length > 0 ? 5 : 0,
      maxRetries: 0,
      ...config,
    },
  });
  return { model, server, trpc: testClient(server.url).trpc };
}

const retries = (events: RunEventOutput[]) =>
  events.flatMap((e) =>
    e.type === 'retry' ? [[e.stage, e.attempt, e.maxAttempts, e.reason]] : [],
  );

describe('questions without a model', () => {
  it('answers offline through every stage, stores the answer and says it in the conversation', async () => {
    const server = await testServer();
    const { trpc } = testClient(server.url);
    const { runId, conversationId } = await trpc.runs.start.mutate({
      question: 'Revenue by channel in 2024',
    });
    const events = await subscribeAll(trpc, runId);
    expect([...new Set(events.flatMap((e) => (e.type === 'stage' ? [e.stage] : [])))]).toEqual([
      'understand',
      'generate',
      'validate',
      'execute',
      'interpret',
      'review',
      'finalize',
    ]);
    const run = await trpc.runs.byId.query({ runId });
    expect(run).toMatchObject({
      kind: 'question',
      query: 'Revenue by channel in 2024',
      status: 'completed',
    });
    expect(run.result).toMatchObject({
      generator: 'offline',
      reading: 'sum of revenue by channel, 2024',
      sql: expect.stringContaining('FROM order_items oi'),
    });
    expect(run.result?.answer).toMatch(
      /^Sum of revenue by channel, 2024: \*\*web\*\* has the highest revenue/,
    );
    const messages = (await trpc.conversations.byId.query({ conversationId })).messages;
    expect(messages.map((m: { role: string; content: string }) => [m.role, m.content])).toEqual([
      ['user', 'Revenue by channel in 2024'],
      ['assistant', run.result?.answer],
    ]);
  });

  it('takes a question or a query, exactly one', async () => {
    const server = await testServer();
    const { trpc } = testClient(server.url);
    for (const input of [{}, { query: 'SELECT 1', question: 'How many orders?' }]) {
      const err = await trpc.runs.start
        .mutate(input as { question: string })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TRPCClientError);
      expect((err as TRPCClientError<AppRouter>).data?.code).toBe('BAD_REQUEST');
      expect((err as TRPCClientError<AppRouter>).message).toContain('exactly one of them');
    }
    const sql = await trpc.runs.start.mutate({ query: 'SELECT count(*) AS n FROM orders' });
    await subscribeAll(trpc, sql.runId);
    const run = await trpc.runs.byId.query({ runId: sql.runId });
    expect(run.kind).toBe('sql');
    expect(run.result).not.toHaveProperty('answer');
  });

  it('refuses with what it understood and example questions, and reads follow-ups in the conversation', async () => {
    const server = await testServer();
    const { trpc } = testClient(server.url);
    const refused = await trpc.runs.start.mutate({ question: 'What is the weather in Paris?' });
    const [last] = (await subscribeAll(trpc, refused.runId)).slice(-1);
    expect(last).toMatchObject({
      type: 'failed',
      error: { code: 'NOT_UNDERSTOOD', retryable: false, details: { unknownWords: ['weather'] } },
    });
    const examples = last?.type === 'failed' ? (last.error.details?.examples ?? []) : [];
    expect(examples.length).toBeGreaterThanOrEqual(3);

    const first = await trpc.runs.start.mutate({ question: 'Revenue by category' });
    await subscribeAll(trpc, first.runId);
    const follow = await trpc.runs.start.mutate({
      question: 'and by channel?',
      conversationId: first.conversationId,
    });
    await subscribeAll(trpc, follow.runId);
    const run = await trpc.runs.byId.query({ runId: follow.runId });
    expect(run.result?.reading).toBe('sum of revenue by category and channel');
    expect(run.result?.rowCount).toBe(40);
  });

  it('suggests measures, dimensions and values as a question is typed', async () => {
    const server = await testServer();
    const { trpc } = testClient(server.url);
    expect(
      await trpc.datasets.suggest.query({ datasetId: 'shop', prefix: 're', limit: 3 }),
    ).toEqual([
      { kind: 'measure', text: 'revenue', detail: 'measure of order items' },
      { kind: 'value', text: 'reddit', detail: 'platform of posts' },
      { kind: 'value', text: 'returned', detail: 'status of orders' },
    ]);
    const err = await trpc.datasets.suggest
      .query({ datasetId: 'nope', prefix: 'x' })
      .catch((e: unknown) => e);
    expect((err as TRPCClientError<AppRouter>).data?.code).toBe('NOT_FOUND');
  });
});

describe('questions with a model', () => {
  it('retries a made-up column with attempt numbers, then completes', async () => {
    const { trpc } = await withModel([
      sqlReply('SELECT count(*) FROM orders o WHERE o.sales_channel = 1'),
      sqlReply(GOOD_SQL),
    ]);
    const { runId } = await trpc.runs.start.mutate({ question: QUESTION });
    const events = await subscribeAll(trpc, runId);
    expect(retries(events)).toEqual([
      ['validate', 2, 3, 'Table `orders` has no column `sales_channel`. Did you mean `channel`?'],
    ]);
    expect(events.at(-1)).toMatchObject({
      type: 'completed',
      result: { generator: 'model', sql: GOOD_SQL, reading: 'web orders' },
    });
  });

  it('fails SQL_GENERATION_FAILED with the last error after three bad queries', async () => {
    const { trpc } = await withModel([
      sqlReply('SELECT nope FROM orders'),
      sqlReply('SELECT 1 FROM ordrs'),
      sqlReply('SELECT zip FROM orders'),
    ]);
    const { runId } = await trpc.runs.start.mutate({ question: QUESTION });
    const events = await subscribeAll(trpc, runId);
    expect(retries(events).map((r) => r[1])).toEqual([2, 3]);
    expect(events.at(-1)).toMatchObject({
      type: 'failed',
      error: {
        code: 'SQL_GENERATION_FAILED',
        message: 'No valid query after 3 attempts; the last one failed: no such column: zip',
        details: { sql: 'SELECT zip FROM orders' },
      },
    });
  });

  it('sends a wrong number back for review, keeps the right answer; streams each attempt', async () => {
    // The right answer states the count the model was shown in the result rows.
    let right = '';
    const fromRows = (r: ScriptedRequest): ScriptedReply => {
      const n = /\| web \| (\d+) \|/.exec(r.messages[1]?.content ?? '')?.[1];
      right = `The **web** channel has ${Number(n).toLocaleString('en-US')} orders.`;
      return { text: right, chunks: 4 };
    };
    const { trpc } = await withModel(
      [sqlReply(GOOD_SQL)],
      [{ text: 'The web channel has 1,000,000 orders.' }, fromRows],
    );
    const { runId } = await trpc.runs.start.mutate({ question: QUESTION });
    const events = await subscribeAll(trpc, runId);
    expect(retries(events)).toEqual([
      ['review', 2, 3, 'the number 1,000,000 is not in the result'],
    ]);
    const text = (attempt: number) =>
      events
        .flatMap((e) => (e.type === 'answer' && e.attempt === attempt ? [e.delta] : []))
        .join('');
    expect([text(1), text(2)]).toEqual(['The web channel has 1,000,000 orders.', right]);
    expect((await trpc.runs.byId.query({ runId })).result?.answer).toBe(right);
  });
});

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((r) => probe.close(() => r()));
  return port;
}

describe('a model that misbehaves', () => {
  it('falls back to the template after wrong answers; the stored answer has no wrong number', async () => {
    const wrong: ScriptedReply = { text: 'Web has 999 orders, the most of any channel.' };
    const { trpc } = await withModel([sqlReply(GOOD_SQL)], [wrong, wrong, wrong]);
    const { runId, conversationId } = await trpc.runs.start.mutate({ question: QUESTION });
    const events = await subscribeAll(trpc, runId);
    expect(retries(events).map((r) => [r[0], r[1]])).toEqual([
      ['review', 2],
      ['review', 3],
    ]);
    const answer = (await trpc.runs.byId.query({ runId })).result?.answer ?? '';
    expect(answer).toMatch(/^Web orders: \*\*web\*\* with orders \*\*[\d,]+\*\*\.$/);
    expect(answer).not.toContain('999');
    const messages = (await trpc.conversations.byId.query({ conversationId })).messages;
    expect(messages.at(-1)?.content).toBe(answer);
  });

  it('fails MODEL_UNAVAILABLE when the endpoint is down, and the server carries on', async () => {
    const server = await testServer({
      model: {
        url: `http://127.0.0.1:${await closedPort()}/v1`,
        model: 'm',
        stageTimeoutMs: 5_000,
        sendRows: 5,
        maxRetries: 0,
      },
    });
    const { trpc } = testClient(server.url);
    const { runId } = await trpc.runs.start.mutate({ question: QUESTION });
    expect((await subscribeAll(trpc, runId)).at(-1)).toMatchObject({
      type: 'failed',
      error: { code: 'MODEL_UNAVAILABLE', retryable: true },
    });
    // Offline questions and SQL still work on the same server.
    const offline = await trpc.runs.start.mutate({ question: 'How many orders are there?' });
    expect((await subscribeAll(trpc, offline.runId)).at(-1)).toMatchObject({
      type: 'completed',
      result: { rows: [[83_000]] },
    });
  });

  it('aborts the model request at once when the run is cancelled', async () => {
    const { model, trpc } = await withModel([{ text: 'x'.repeat(40), chunks: 40, delayMs: 250 }]);
    const { runId } = await trpc.runs.start.mutate({ question: QUESTION });
    const events = subscribeAll(trpc, runId);
    await until(() => expect(model.requests).toHaveLength(1));
    expect(await trpc.runs.cancel.mutate({ runId })).toEqual({ runId, status: 'cancelled' });
    await until(() => expect(model.requests[0]?.aborted).toBe(true));
    expect(model.requests[0]?.finished).toBe(false);
    expect((await events).at(-1)).toMatchObject({ type: 'cancelled' });
  });

  it('gives the model the earlier turns of the conversation', async () => {
    const { model, trpc } = await withModel([sqlReply(GOOD_SQL), sqlReply(GOOD_SQL)]);
    const first = await trpc.runs.start.mutate({ question: QUESTION });
    await subscribeAll(trpc, first.runId);
    const next = await trpc.runs.start.mutate({
      question: 'and how is phone doing?',
      conversationId: first.conversationId,
    });
    await subscribeAll(trpc, next.runId);
    const sqlRequests = model.requests.filter(isSql);
    expect(sqlRequests[1]?.messages.slice(1).map((m) => [m.role, m.content])).toEqual([
      ['user', QUESTION],
      ['assistant', `\`\`\`sql\n${GOOD_SQL}\n\`\`\``],
      ['user', 'and how is phone doing?'],
    ]);
  });
});
