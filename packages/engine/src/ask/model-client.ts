// The model behind any OpenAI-compatible endpoint (OpenAI, Ollama, vLLM, llama.cpp, LM Studio),
// through the `openai` package: always streamed, cancelled by the run's signal, bounded by a
// per-stage timeout, with few retries of its own (the pipeline retries on meaning, not on HTTP).
import OpenAI from 'openai';
import { abortReason, QueryError, RunCancelledError } from '../errors.ts';

export interface ModelConfig {
  /** Base URL of the OpenAI-compatible API, e.g. http://127.0.0.1:11434/v1. */
  url: string;
  model: string;
  apiKey?: string;
  /** A stage's model call fails with MODEL_UNAVAILABLE past this. */
  stageTimeoutMs: number;
  /** Result rows the model may see when writing an answer; 0: the answer comes from the template. */
  sendRows: number;
  /** HTTP retries inside the client (connection errors, 429, 5xx); the default is 1. */
  maxRetries?: number;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ModelClient {
  readonly config: ModelConfig;
  /**
   * Streams a completion; `onDelta` gets each piece of text as it arrives. Resolves with the
   * whole text. Throws RunCancelledError when `signal` aborts and MODEL_UNAVAILABLE otherwise.
   */
  complete(
    messages: readonly ChatMessage[],
    opts: { signal: AbortSignal; onDelta?: (text: string) => void; maxTokens?: number },
  ): Promise<string>;
}

export function modelUnavailable(message: string, cause?: unknown): QueryError {
  return new QueryError('MODEL_UNAVAILABLE', message, {
    hint: 'Check QUERYLANE_MODEL_URL and QUERYLANE_MODEL, or ask again later; questions the offline translator understands still work.',
    retryable: true,
    cause,
  });
}

function describe(err: unknown, config: ModelConfig): string {
  if (err instanceof OpenAI.APIConnectionTimeoutError) return `The model did not answer in time.`;
  if (err instanceof OpenAI.APIConnectionError)
    return `The model endpoint ${config.url} cannot be reached.`;
  if (err instanceof OpenAI.AuthenticationError) return 'The model endpoint rejected the API key.';
  if (err instanceof OpenAI.NotFoundError)
    return `The model endpoint does not know the model "${config.model}".`;
  if (err instanceof OpenAI.RateLimitError) return 'The model endpoint is rate-limiting requests.';
  if (err instanceof OpenAI.APIError)
    return `The model endpoint answered with an error (${err.status ?? 'no status'}).`;
  return 'The model endpoint failed.';
}

export function createModelClient(config: ModelConfig): ModelClient {
  const client = new OpenAI({
    baseURL: config.url,
    // Local servers take no key, but the client insists on one (and would read the environment).
    apiKey: config.apiKey ?? 'none',
    maxRetries: config.maxRetries ?? 1,
    timeout: config.stageTimeoutMs,
  });
  return {
    config,
    async complete(messages, opts) {
      if (opts.signal.aborted) throw new RunCancelledError(abortReason(opts.signal));
      const deadline = AbortSignal.timeout(config.stageTimeoutMs);
      const signal = AbortSignal.any([opts.signal, deadline]);
      let text = '';
      try {
        const stream = await client.chat.completions.create(
          {
            model: config.model,
            messages: messages.map((m) => ({ role: m.role, content: m.content })),
            stream: true,
            temperature: 0,
            ...(opts.maxTokens ? { max_tokens: opts.maxTokens } : {}),
          },
          { signal },
        );
        for await (const chunk of stream) {
          const delta = chunk.choices[0]?.delta?.content ?? '';
          if (delta === '') continue;
          text += delta;
          opts.onDelta?.(delta);
        }
      } catch (err) {
        if (opts.signal.aborted)
          throw new RunCancelledError(abortReason(opts.signal), { cause: err });
        if (deadline.aborted) {
          throw modelUnavailable(
            `The model did not finish within ${config.stageTimeoutMs} ms.`,
            err,
          );
        }
        if (err instanceof RunCancelledError || err instanceof QueryError) throw err;
        throw modelUnavailable(describe(err, config), err);
      }
      if (opts.signal.aborted) throw new RunCancelledError(abortReason(opts.signal));
      return text;
    },
  };
}
