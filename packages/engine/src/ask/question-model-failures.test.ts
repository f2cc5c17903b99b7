// The question pipeline when the model misbehaves: an endpoint that is down, a stage that runs
// past its timeout, a cancel mid-stream, a refusal. The model is a real HTTP server (see
// question-model.test.ts); what it does wrong is scripted.
import { type QueryError, RunCancelledError } from '@querylane/runs';
import { describe, expect, it, vi } from 'vitest';
import { closedPort, useModelPipeline } from '../test/model-pipeline.ts';

const { scripted, ask } = useModelPipeline();

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
