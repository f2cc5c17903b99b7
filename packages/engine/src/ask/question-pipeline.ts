// The question pipeline: understand → generate → validate → execute → interpret → review →
// finalize, as a `Pipeline` of kind `question` that the run lifecycle drives like the SQL one.
import type { Result } from '@querylane/contracts';
import type { Pipeline, PipelineInput } from '@querylane/runs';
import { profileColumns, suggestChart, summarize } from '../interpret.ts';
import { type ResolvedLimits, resolveLimits } from '../limits.ts';
import { executeProgress } from '../pipeline.ts';
import { formatBytes, type SqlRunOutput } from '../runner.ts';
import { writeAnswer } from './ask-answer.ts';
import { generateSql } from './ask-sql.ts';
import type { SqlExecutor } from './execute.ts';
import type { ModelClient } from './model-client.ts';
import type { SemanticModels } from './models.ts';
import { StageReporter } from './progress.ts';
import type { ConversationTurn } from './prompts.ts';

const HEARTBEAT_MS = 1_000;

export interface QuestionPipelineOptions {
  models: SemanticModels;
  executor: SqlExecutor;
  /** The model for what the offline translator cannot do, if one is configured. */
  model?: ModelClient;
  /** Earlier turns of the run's conversation, oldest first (for follow-ups). */
  history?: (input: PipelineInput) => Promise<ConversationTurn[]>;
  /** Coalescing interval of answer events (default 100 ms: at most ten a second). */
  answerEventMs?: number;
}

export function createQuestionPipeline(opts: QuestionPipelineOptions): Pipeline {
  return {
    kind: 'question',
    async run(input, ctx) {
      const report = new StageReporter(ctx.emit, ctx.signal);
      const limits = resolveLimits(ctx.limits);
      report.stage('understand', 1, 'Reading the question');
      const tr = opts.models.translator(input.datasetId);
      const history = opts.history ? await opts.history(input) : [];
      const generated = await generateSql({
        question: input.query.trim(),
        history,
        tr,
        examples: opts.models.examples(input.datasetId),
        compile: (sql) =>
          opts.executor.compile(input.datasetId, sql, {
            signal: ctx.signal,
            timeoutMs: limits.timeoutMs,
          }),
        model: opts.model,
        signal: ctx.signal,
        report,
      });

      report.stage('execute', 41, `Running on ${input.datasetId}`);
      const output = await execute(
        opts.executor,
        input.datasetId,
        generated.sql,
        ctx,
        limits,
        report,
      );

      report.stage('interpret', 75, 'Profiling the result');
      const profile = profileColumns(output.columns, output.rows);
      const rank =
        generated.frame?.rank && generated.frame.groups.length > 0
          ? generated.frame.rank
          : undefined;
      const answer = await writeAnswer({
        question: input.query,
        reading: generated.reading,
        columns: output.columns,
        rows: output.rows,
        rowCount: output.rowCount,
        truncated: output.truncated,
        profile,
        ...(rank ? { rank: { dir: rank.dir, limit: rank.limit } } : {}),
        knownNames: tr.model.entities.flatMap((e) => e.dimensions.flatMap((d) => d.values)),
        model: opts.model,
        signal: ctx.signal,
        report,
        ...(opts.answerEventMs === undefined ? {} : { answerEventMs: opts.answerEventMs }),
      });

      const result: Result = {
        columns: output.columns.map((c, i) => ({
          name: c.name,
          type: c.type ?? profile[i]?.type ?? 'null',
        })),
        rows: output.rows,
        rowCount: output.rowCount,
        truncated: output.truncated,
        elapsedMs: output.elapsedMs,
        profile,
        summary:
          summarize({ ...output, profile }) +
          (output.cut === 'bytes'
            ? ` Rows after the first ${output.rows.length.toLocaleString('en-US')} were left out: a result keeps at most ${formatBytes(limits.maxResultBytes)} of values.`
            : ''),
        sql: generated.sql,
        answer,
        reading: generated.reading,
        generator: generated.generator,
      };
      const chart = suggestChart(profile);
      if (chart) result.chart = chart;
      report.stage('finalize', 92, 'Saving the answer');
      await ctx.finalize(result);
      report.stage('finalize', 99, 'Answer saved');
      return result;
    },
  };
}

/** Runs the query with the run's limits: `rows` events at most every `progressMs`, a heartbeat. */
async function execute(
  executor: SqlExecutor,
  datasetId: string,
  sql: string,
  ctx: Parameters<Pipeline['run']>[1],
  limits: ResolvedLimits,
  report: StageReporter,
): Promise<SqlRunOutput> {
  const started = performance.now();
  let lastRowsAt = started;
  let lastFetched: number | undefined;
  let failure: { error: unknown } | undefined;
  const stop = new AbortController();
  // A throwing emit inside a timer would crash the process: keep it, stop the worker, rethrow.
  const heartbeat = setInterval(() => {
    const ms = performance.now() - started;
    const next = executeProgress(ms);
    if (next <= report.progress) return;
    try {
      report.stage('execute', next, `Running… ${(ms / 1000).toFixed(1)} s`);
    } catch (error) {
      failure = { error };
      clearInterval(heartbeat);
      stop.abort();
    }
  }, HEARTBEAT_MS);
  let output: SqlRunOutput;
  try {
    output = await executor.run({
      datasetId,
      sql,
      signal: AbortSignal.any([ctx.signal, stop.signal]),
      limits,
      onProgress: (fetched) => {
        const now = performance.now();
        if (now - lastRowsAt < limits.progressMs) return;
        lastRowsAt = now;
        lastFetched = fetched;
        ctx.emit({ type: 'rows', fetched });
      },
    });
  } catch (err) {
    if (failure) throw failure.error;
    throw err;
  } finally {
    clearInterval(heartbeat);
  }
  if (lastFetched !== output.rowCount) ctx.emit({ type: 'rows', fetched: output.rowCount });
  report.check();
  return output;
}
