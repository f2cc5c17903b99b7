// The understand → generate → validate half of a question run: offline when the translator is
// sure, else the model when one is configured, else a refusal that says what was understood.
// Invalid SQL goes back to the generator with its error, at most three attempts in all.
import { QueryError } from '../errors.ts';
import type { Frame } from './frame.ts';
import type { ModelClient } from './model-client.ts';
import type { StageReporter } from './progress.ts';
import { type ConversationTurn, parseSqlReply, sqlMessages } from './prompts.ts';
import { type Translation, type Translator, translate } from './translate.ts';
import { type CompileSql, validateSql } from './validate-sql.ts';

export const MAX_SQL_ATTEMPTS = 3;

export interface GeneratedSql {
  sql: string;
  reading: string;
  generator: 'offline' | 'model';
  /** The offline frame, when the translator wrote the SQL (the template answer uses its ranking). */
  frame?: Frame;
}

export interface GenerateOptions {
  question: string;
  history: readonly ConversationTurn[];
  tr: Translator;
  examples: readonly string[];
  compile: CompileSql;
  model: ModelClient | undefined;
  signal: AbortSignal;
  report: StageReporter;
}

/** Text that is plainly SQL rather than a question. */
export function looksLikeSql(text: string): boolean {
  return /^\s*(SELECT|WITH)\b[\s\S]*\b(FROM|SELECT)\b/i.test(text) || /^\s*SELECT\s/i.test(text);
}

function refusal(t: Extract<Translation, { ok: false }>, examples: readonly string[]): QueryError {
  const understood =
    t.understood.length > 0
      ? `I understood ${t.understood.join('; ')}.`
      : 'I understood none of it.';
  const unknown =
    t.unknownWords.length > 0
      ? ` I did not understand ${t.unknownWords.map((w) => `"${w}"`).join(', ')}.`
      : '';
  return new QueryError(t.code, t.message, {
    hint: `${understood}${unknown}${examples.length > 0 ? ` Try for example: ${examples.map((e) => `"${e}"`).join(', ')}.` : ''}`,
    retryable: false,
    details: {
      understood: t.understood.slice(0, 50),
      unknownWords: t.unknownWords.slice(0, 50),
      ...(t.readings.length > 0 ? { readings: t.readings.slice(0, 20) } : {}),
      examples: examples.slice(0, 10),
    },
  });
}

export async function generateSql(opts: GenerateOptions): Promise<GeneratedSql> {
  const { report, model } = opts;
  // "Select the top 5 products by revenue" is English that starts like SQL: only text that
  // compiles as SQL is run as written.
  let sqlError: QueryError | undefined;
  const asSql = looksLikeSql(opts.question)
    ? await validateSql(opts.question, opts.tr.model, opts.compile).then(
        () => true,
        (err: unknown) => {
          if (!(err instanceof QueryError) || err.code !== 'SQL_SYNTAX') throw err;
          sqlError = err;
          return false;
        },
      )
    : false;
  if (asSql) {
    report.stage('understand', 10, 'This is SQL: it runs as written');
    report.stage('validate', 40, 'The query is valid');
    return {
      sql: opts.question.trim().replace(/;\s*$/, ''),
      reading: 'the SQL as written',
      generator: 'offline',
    };
  }
  const offline = translate(
    opts.tr,
    opts.question,
    opts.history.map((t) => t.question),
  );
  if (offline.ok) {
    report.stage('understand', 10, `Understood: ${offline.reading}`);
    report.stage('generate', 20, 'Wrote the query offline');
    report.stage('validate', 30, 'Checking the query');
    try {
      await validateSql(offline.sql, opts.tr.model, opts.compile);
      report.stage('validate', 40, 'The query is valid');
      return {
        sql: offline.sql,
        reading: offline.reading,
        generator: 'offline',
        frame: offline.frame,
      };
    } catch (err) {
      // A translator bug, never the person's fault: let the model try, if there is one.
      if (!(err instanceof QueryError) || !model) {
        throw new QueryError(
          'SQL_GENERATION_FAILED',
          `The generated query is invalid: ${(err as Error).message}`,
          {
            retryable: false,
            details: { sql: offline.sql },
            cause: err,
          },
        );
      }
      report.retry('validate', 2, MAX_SQL_ATTEMPTS, err.message);
      return fromModel(opts, model, [{ sql: offline.sql, error: err.message }]);
    }
  }
  // Text that looked like SQL and is not a question either: the SQL error says more.
  if (!model) throw sqlError ?? refusal(offline, opts.examples);
  report.stage('understand', 10, `Not sure offline (${offline.message}); asking the model`);
  return fromModel(opts, model, []);
}

async function fromModel(
  opts: GenerateOptions,
  model: ModelClient,
  attempts: { sql: string; error: string }[],
): Promise<GeneratedSql> {
  const { report } = opts;
  for (let attempt = attempts.length + 1; ; attempt++) {
    report.stage(
      'generate',
      15,
      `Asking the model for a query (attempt ${attempt} of ${MAX_SQL_ATTEMPTS})`,
    );
    const text = await model.complete(
      sqlMessages({ tr: opts.tr, question: opts.question, history: opts.history, attempts }),
      { signal: opts.signal, maxTokens: 1_000 },
    );
    const reply = parseSqlReply(text);
    if ('refused' in reply) {
      const t = translate(opts.tr, opts.question);
      const understood = t.ok ? [] : t.understood;
      throw new QueryError(
        'NOT_UNDERSTOOD',
        `This cannot be answered from the dataset: ${reply.refused}`,
        {
          retryable: false,
          details: { understood, examples: opts.examples.slice(0, 10) },
        },
      );
    }
    report.stage('validate', 30, `Checking the query (attempt ${attempt} of ${MAX_SQL_ATTEMPTS})`);
    try {
      if (reply.sql === '') throw new QueryError('SQL_EMPTY', 'The reply held no SQL query.');
      await validateSql(reply.sql, opts.tr.model, opts.compile);
      report.stage('validate', 40, 'The query is valid');
      return { sql: reply.sql, reading: reply.reading ?? opts.question, generator: 'model' };
    } catch (err) {
      if (!(err instanceof QueryError)) throw err;
      attempts.push({ sql: reply.sql, error: err.message });
      if (attempt >= MAX_SQL_ATTEMPTS) {
        throw new QueryError(
          'SQL_GENERATION_FAILED',
          `No valid query after ${MAX_SQL_ATTEMPTS} attempts; the last one failed: ${err.message}`,
          {
            ...(err.hint === undefined ? {} : { hint: err.hint }),
            retryable: true,
            details: { sql: reply.sql },
            cause: err,
          },
        );
      }
      report.retry('validate', attempt + 1, MAX_SQL_ATTEMPTS, err.message);
    }
  }
}
