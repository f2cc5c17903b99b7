// The question pipeline with a model: a real HTTP server speaking the chat-completions protocol
// (streamed), reached through the real `openai` client. What the test scripts is only the
// model's text; validation, retries, review and fallbacks are the pipeline's own.
import { QueryError } from '@querylane/runs';
import { describe, expect, it } from 'vitest';
import { GOOD_SQL, retries, sqlReply, useModelPipeline } from '../test/model-pipeline.ts';

const { scripted, ask, webOrders } = useModelPipeline();

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
