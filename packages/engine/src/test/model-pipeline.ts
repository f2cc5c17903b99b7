// What the model tests of the question pipeline share: a worker pool and a copy of the shop
// dataset per test file, a scripted model server per test, and a question asked through it all.
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Result, RunEventInput } from '@querylane/contracts';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { poolExecutor } from '../ask/execute.ts';
import { createModelClient } from '../ask/model-client.ts';
import { SemanticModels } from '../ask/models.ts';
import type { ConversationTurn } from '../ask/prompts.ts';
import { createQuestionPipeline } from '../ask/question-pipeline.ts';
import {
  type ScriptedModel,
  type ScriptedReply,
  type ScriptedRequest,
  startScriptedModel,
} from '../ask/scripted-model.ts';
import { DatasetRegistry } from '../datasets.ts';
import { DEFAULT_RUN_LIMITS } from '../limits.ts';
import { SqlWorkerPool } from '../pool.ts';
import { freshShopDir } from '../testing.ts';

// The offline translator does not know "doing", so these go to the model.
const QUESTION = 'How is the web channel doing?';
export const GOOD_SQL =
  "SELECT o.channel, count(*) AS orders FROM orders o WHERE o.channel = 'web' GROUP BY o.channel";
export const sqlReply = (sql: string): ScriptedReply => ({
  text: `Reading: orders on the web channel\n\`\`\`sql\n${sql}\n\`\`\``,
  chunks: 4,
});
const isSql = (r: ScriptedRequest) =>
  r.messages[0]?.content.startsWith('You translate questions') === true;

export const retries = (events: RunEventInput[]) => events.filter((e) => e.type === 'retry');

/** A port nothing listens on. */
export async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((r) => probe.close(() => r()));
  return port;
}

/**
 * Sets up the file's tests: a pool and a shop dataset for all of them, the scripted model closed
 * after each (which must leave no worker busy). Returns what a test asks with.
 */
export function useModelPipeline() {
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

  const webOrders = () =>
    registry
      .connection('shop')
      .prepare("SELECT count(*) FROM orders WHERE channel = 'web'")
      .pluck()
      .get() as number;

  return { scripted, ask, webOrders };
}
